using System.Runtime.CompilerServices;
using AlignLab.Models;
using AlignLab.Models.HuggingFace;
using TorchSharp;

namespace AlignLab.Tests;

/// <summary>
/// A tiny random model saved as a Hugging Face folder (config.json + model.safetensors) with one of the engine tests'
/// committed tokenizer fixtures: GPT-2 with the byte-level BPE (267 tokens) or Llama with the SentencePiece model
/// (384 tokens). Deleted on dispose. Shared by the Dsl and Cli test projects (linked into each).
/// </summary>
public sealed class TinyModelFolder : IDisposable
{
    // Found from this file's own location (tests/TinyModelFolder.cs), whichever test project it is compiled into.
    private static readonly string Fixtures = System.IO.Path.Combine(TestsFolder(), "AlignLab.Models.Tests", "Tokenization", "Fixtures");

    private TinyModelFolder(TransformerConfig config, string tokenizerFixture, long seed, bool reward = false)
    {
        Path = Directory.CreateTempSubdirectory("alignlab-model-").FullName;
        torch.random.manual_seed(seed);
        if (reward)
        {
            using var model = new SequenceClassificationModel(config);
            HuggingFaceFolder.Save(model, Path);
        }
        else
        {
            using var model = HuggingFaceFolder.Create(config);
            HuggingFaceFolder.Save(model, Path);
        }
        // Everything but the fixture's own config.json, which describes no model.
        foreach (var file in Directory.GetFiles(System.IO.Path.Combine(Fixtures, tokenizerFixture)).Where(f => System.IO.Path.GetFileName(f) is "tokenizer.json" or "tokenizer.model" or "generation_config.json"))
            File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>
    /// GPT-2 (2 layers, width 32, 64 positions) with the Llama-3-shaped byte-level fixture: BOS 262 starts prompts, EOS
    /// 263 and 264. A <paramref name="vocabSize"/> above the tokenizer's 267 gives embedding rows without a token.
    /// </summary>
    public static TinyModelFolder Gpt2(long seed = 0, int vocabSize = 267) =>
        new(new TransformerConfig("gpt2", VocabSize: vocabSize, HiddenSize: 32, Layers: 2, Heads: 4, IntermediateSize: 128, MaxPositions: 64,
            BosTokenId: 262, EosTokenIds: [263]), "bytelevel", seed);

    /// <summary>Llama (grouped-query attention, untied head) with the SentencePiece fixture: BOS 1 starts prompts, EOS 2.</summary>
    public static TinyModelFolder Llama(long seed = 0) =>
        new(new TransformerConfig("llama", VocabSize: 384, HiddenSize: 32, Layers: 2, Heads: 4, IntermediateSize: 64, MaxPositions: 64,
            NormEpsilon: 1e-6, Activation: "silu", KeyValueHeadCount: 2, TieWordEmbeddings: false, BosTokenId: 1, EosTokenIds: [2]), "sentencepiece", seed);

    /// <summary>
    /// A reward model (LlamaForSequenceClassification, one label) with the SentencePiece fixture: a tokenizer other
    /// than <see cref="Gpt2"/>'s, so a GPT-2 policy's responses are decoded and re-encoded to be scored.
    /// </summary>
    public static TinyModelFolder LlamaReward(long seed = 0) =>
        new(new TransformerConfig("llama", VocabSize: 384, HiddenSize: 32, Layers: 2, Heads: 4, IntermediateSize: 64, MaxPositions: 256,
            NormEpsilon: 1e-6, Activation: "silu", KeyValueHeadCount: 2, TieWordEmbeddings: false, BosTokenId: 1, EosTokenIds: [2]), "sentencepiece", seed, reward: true);

    private static string TestsFolder([CallerFilePath] string path = "") => System.IO.Path.GetDirectoryName(path)!;

    /// <inheritdoc />
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
