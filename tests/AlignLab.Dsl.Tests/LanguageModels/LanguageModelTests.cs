using System.Runtime.CompilerServices;
using AlignLab.Dsl;
using AlignLab.Models.Tokenization;
using AlignLab.Tests;

namespace AlignLab.Dsl.Tests.LanguageModels;

/// <summary>
/// <see cref="LanguageModel"/> on tiny random folders: generation in one left-padded batch scores every sample as the
/// model does alone, samples are cut at any EOS id, and the seed fixes them.
/// </summary>
public sealed class LanguageModelTests : IDisposable
{
    private readonly TinyModelFolder _folder = TinyModelFolder.Gpt2();
    private readonly LanguageModel _model;

    public LanguageModelTests() => _model = Models.Load(_folder.Path, "cpu");

    public void Dispose()
    {
        _model.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public void Generate_PromptsOfDifferentLengthsInOneBatch_ScoreAsEachSequenceAlone()
    {
        string[] prompts = ["the", "Hello the low world, a longer prompt"];
        var options = new GenerationOptions(N: 3, MaxNewTokens: 8, Seed: 3);
        var batches = _model.Generate(prompts, options);
        Assert.Equal(2, batches.Count);
        for (var i = 0; i < prompts.Length; i++)
        {
            var promptIds = _model.EncodePrompt(prompts[i]);
            Assert.Equal(3, batches[i].Count);
            foreach (var sample in batches[i])
            {
                Assert.Equal(prompts[i], sample.Prompt);
                // Temperature 1 and no filtering: the sampling log-prob is log π(y|x), here recomputed without padding.
                var alone = _model.LogProbs([.. promptIds, .. sample.Ids]).Skip(promptIds.Count - 1).Sum();
                Assert.Equal(alone, sample.LogProb, 1e-4);
                Assert.Equal(sample.Finished, _model.EosIds.Contains(sample.Ids[^1]));
                Assert.DoesNotContain(sample.Ids.SkipLast(1), id => _model.EosIds.Contains(id));
                Assert.True(sample.Finished || sample.Ids.Count == 8);
            }
        }
    }

    [Fact]
    public void Generate_SameOptionsSameSamples_OtherSeedOtherSamples()
    {
        static string Key(IReadOnlyList<Generation> samples) => string.Join("|", samples.Select(s => string.Join(",", s.Ids)));
        var options = new GenerationOptions(N: 4, MaxNewTokens: 6, Seed: 11);
        Assert.Equal(Key(_model.Generate("the low", options)), Key(_model.Generate("the low", options)));
        Assert.NotEqual(Key(_model.Generate("the low", options)), Key(_model.Generate("the low", options with { Seed = 12 })));
    }

    [Fact]
    public void Generate_WithMoreEmbeddingRowsThanTokens_LeavesTheTokenlessIdsOutOfTheText()
    {
        using var padded = TinyModelFolder.Gpt2(vocabSize: 384);
        using var model = Models.Load(padded.Path, "cpu");
        var samples = model.Generate("the", new GenerationOptions(N: 4, MaxNewTokens: 12, Seed: 5));
        Assert.Contains(samples, s => s.Ids.Any(id => id >= 267)); // a random model draws them about 30 % of the time
        foreach (var s in samples)
        {
            var text = s.Ids.Where(id => id < 267 && !(s.Finished && id == s.Ids[^1]));
            Assert.Equal(model.Tokenizer.Decode(text), s.Text);
        }
    }

    [Fact]
    public void EncodePrompt_OfMessages_RendersTheFolderTemplateAndKeepsOneBos()
    {
        var missing = Assert.Throws<InvalidDataException>(() => _model.ChatTemplate);
        Assert.StartsWith($"{_model.Folder} has no chat template", missing.Message);

        // Meta-Llama-3-Instruct's template writes <|begin_of_text|> itself: the tokenizer, which adds it too, must not double it.
        File.Copy(Path.Combine(ChatFixtures(), "llama3", "tokenizer_config.json"), Path.Combine(_folder.Path, "tokenizer_config.json"));
        ChatMessage[] messages = [ChatMessage.System("Be brief."), ChatMessage.User("the")];
        var ids = _model.EncodePrompt(messages);
        Assert.Equal(ChatTemplateFamily.Llama3, _model.ChatTemplate.Family);
        Assert.Equal(_model.Tokenizer.Encode(_model.ChatTemplate.Render(messages)), ids);
        Assert.Equal(262, ids[0]);
        Assert.Single(ids, id => id == 262);

        // A template given instead of the folder's.
        Assert.Equal(_model.EncodePrompt("Q: the\nA:"), _model.EncodePrompt([ChatMessage.User("the")], ChatTemplate.Parse("Q: {prompt}\nA:")));
    }

    // The model tests' real chat templates (tests/AlignLab.Models.Tests/Tokenization/Fixtures/chat), found from this file.
    private static string ChatFixtures([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "..", "..", "AlignLab.Models.Tests", "Tokenization", "Fixtures", "chat");

    [Fact]
    public void LogProbs_AreNormalisedOverTheVocabulary()
    {
        // Σ_v p(v | prefix) = 1: score every possible next token after the same prefix.
        int[] prefix = [262, 116, 257];
        var total = Enumerable.Range(0, _model.Config.VocabSize).Sum(v => Math.Exp(_model.LogProbs([.. prefix, v])[^1]));
        Assert.Equal(1.0, total, 1e-6);
    }

    [Fact]
    public void InvalidInput_IsAnArgumentExceptionNamingIt()
    {
        Assert.Contains("token id 267 is outside the vocabulary (0..266)", Assert.Throws<ArgumentException>(() => _model.LogProbs([1, 267])).Message);
        Assert.Contains("no token ids", Assert.Throws<ArgumentException>(() => _model.LogProbs([])).Message);
        Assert.Contains("the text is empty", Assert.Throws<ArgumentException>(() => _model.EncodePrompt("")).Message);
        Assert.Contains("n must be >= 1", Assert.Throws<ArgumentException>(() => _model.Generate("a", new GenerationOptions(N: 0))).Message);
        Assert.Contains("TopP must be in (0, 1]", Assert.Throws<ArgumentException>(() => _model.Generate("a", new GenerationOptions(TopP: 1.5))).Message);
    }
}
