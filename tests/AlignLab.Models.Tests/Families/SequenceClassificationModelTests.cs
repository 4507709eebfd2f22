using AlignLab.Engine.Methods;
using AlignLab.Engine.Training;
using AlignLab.Models;
using AlignLab.Models.Families;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Models.Tests.Families;

/// <summary>
/// <see cref="SequenceClassificationModel.FromCausalLm"/> (the language model's body, a seeded head) and
/// <see cref="SequenceClassificationModel.ScoreResponses"/> (left-padded prompts, responses cut at the end token).
/// </summary>
public class SequenceClassificationModelTests
{
    private static readonly TransformerConfig Gpt2 = new("gpt2", VocabSize: 40, HiddenSize: 16, Layers: 2, Heads: 2, IntermediateSize: 32, MaxPositions: 24,
        Activation: "gelu", EosTokenIds: [39]);

    private static readonly TransformerConfig Llama = new("llama", VocabSize: 40, HiddenSize: 16, Layers: 2, Heads: 4, IntermediateSize: 32, MaxPositions: 24,
        NormEpsilon: 1e-6, Activation: "silu", KeyValueHeadCount: 2, TieWordEmbeddings: false);

    private static readonly TransformerConfig NeoX = new("gpt_neox", VocabSize: 40, HiddenSize: 16, Layers: 2, Heads: 2, IntermediateSize: 32, MaxPositions: 24,
        Activation: "gelu", Rope: new RopeParameters(PartialRotaryFactor: 0.5), TieWordEmbeddings: false, AttentionBias: true);

    public static TheoryData<string> Architectures => new() { "gpt2", "llama", "gpt_neox" };

    private static CausalLm LanguageModel(string type)
    {
        random.manual_seed(3);
        return HuggingFaceFolder.Create(type switch { "gpt2" => Gpt2, "llama" => Llama, _ => NeoX });
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void FromCausalLm_copies_the_body_drops_the_head_and_seeds_the_score_head(string type)
    {
        using var lm = LanguageModel(type);
        var source = lm.state_dict();
        using var a = SequenceClassificationModel.FromCausalLm(lm, seed: 7);
        random.manual_seed(99);
        var draw = rand(3);
        random.manual_seed(99); // the head must not depend on the global generator, nor change it
        using var b = SequenceClassificationModel.FromCausalLm(lm, seed: 7);
        Assert.True(rand(3).eq(draw).all().item<bool>());
        using var c = SequenceClassificationModel.FromCausalLm(lm, seed: 8);
        foreach (var (name, value) in a.state_dict())
        {
            if (name == "score.weight") continue;
            Assert.True(value.eq(source[name]).all().item<bool>(), name);
        }
        Assert.DoesNotContain(a.state_dict().Keys, k => k.StartsWith("lm_head") || k.StartsWith("embed_out"));
        Assert.True(a.state_dict()["score.weight"].eq(b.state_dict()["score.weight"]).all().item<bool>());
        Assert.False(a.state_dict()["score.weight"].eq(c.state_dict()["score.weight"]).all().item<bool>());
        Assert.InRange(a.state_dict()["score.weight"].std().item<float>(), 0.01, 0.04);
    }

    [Fact]
    public void The_score_reads_the_language_models_last_hidden_state()
    {
        using var lm = (Gpt2LmHeadModel)LanguageModel("gpt2");
        using var model = SequenceClassificationModel.FromCausalLm(lm, seed: 1);
        using var tokens = tensor(new long[,] { { 3, 5, 7, 9 }, { 2, 4, 6, 8 } });
        using var noGrad = no_grad();
        var hidden = lm.Trunk.forward(tokens, null)[.., -1];
        var expected = hidden.matmul(model.state_dict()["score.weight"].t()).squeeze(-1);
        Assert.True(model.forward(tokens).allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ScoreResponses_scores_each_row_as_alone_whatever_its_padding(string type)
    {
        using var lm = LanguageModel(type);
        using var model = SequenceClassificationModel.FromCausalLm(lm, seed: 2);
        long end = 39;
        // Row 0: prompt [5, 6, 7], response [8, 9] then the end token and a token after it that must not count.
        // Row 1: prompt [11] (left-padded), response [12, 13, 14, 15].
        using var prompts = tensor(new long[,] { { 5, 6, 7 }, { 0, 0, 11 } });
        using var mask = tensor(new[,] { { true, true, true }, { false, false, true } });
        using var responses = tensor(new long[,] { { 8, 9, end, 30 }, { 12, 13, 14, 15 } });
        using var noGrad = no_grad();
        var batch = model.ScoreResponses(prompts, responses, mask, [end]);
        var alone0 = model.forward(tensor(new long[,] { { 5, 6, 7, 8, 9 } }));
        var alone1 = model.forward(tensor(new long[,] { { 11, 12, 13, 14, 15 } }));
        Assert.Equal(alone0.item<float>(), batch[0].item<float>(), 1e-5f);
        Assert.Equal(alone1.item<float>(), batch[1].item<float>(), 1e-5f);

        // What follows the end token does not matter.
        using var changed = tensor(new long[,] { { 8, 9, end, 17 }, { 12, 13, 14, 15 } });
        Assert.Equal(batch[0].item<float>(), model.ScoreResponses(prompts, changed, mask, [end])[0].item<float>());
    }

    [Fact]
    public void ScoreResponses_fits_a_batch_whose_rows_fit_though_its_padded_width_does_not()
    {
        using var lm = LanguageModel("gpt2");
        using var model = SequenceClassificationModel.FromCausalLm(lm, seed: 2);
        // 24 positions: a long prompt with a short response, and a short prompt with a long response (padded width 40).
        var prompts = new long[2, 20];
        var mask = new bool[2, 20];
        var responses = new long[2, 20];
        for (int j = 0; j < 20; j++)
        {
            (prompts[0, j], mask[0, j]) = (1 + j, true);
            (prompts[1, j], mask[1, j]) = (j >= 18 ? 5 : 0, j >= 18);
            responses[0, j] = j < 2 ? 7 : 39;
            responses[1, j] = 8;
        }
        using var noGrad = no_grad();
        var batch = model.ScoreResponses(tensor(prompts), tensor(responses), tensor(mask), [39]);
        var alone0 = model.forward(tensor(Enumerable.Range(1, 20).Select(i => (long)i).Concat([7L, 7L]).ToArray()).unsqueeze(0));
        var alone1 = model.forward(tensor(new long[] { 5, 5 }.Concat(Enumerable.Repeat(8L, 20)).ToArray()).unsqueeze(0));
        Assert.Equal(alone0.item<float>(), batch[0].item<float>(), 1e-5f);
        Assert.Equal(alone1.item<float>(), batch[1].item<float>(), 1e-5f);
    }

    [Fact]
    public void ScoreResponses_refuses_right_padded_prompts()
    {
        using var lm = LanguageModel("gpt2");
        using var model = SequenceClassificationModel.FromCausalLm(lm, seed: 2);
        var e = Assert.Throws<ArgumentException>(() => model.ScoreResponses(tensor(new long[,] { { 5, 0 } }), tensor(new long[,] { { 3 } }), tensor(new[,] { { true, false } })));
        Assert.Contains("left padding", e.Message);
    }

    [Fact]
    public void Bradley_Terry_on_left_padded_pairs_learns_a_rule_and_accuracy_is_exact_on_known_scores()
    {
        using var lm = LanguageModel("gpt2");
        using var model = SequenceClassificationModel.FromCausalLm(lm, seed: 2);
        // Chosen responses start with token 20, rejected ones with 21; prompts of 1 or 2 tokens.
        var prompts = tensor(new long[,] { { 0, 4 }, { 5, 6 }, { 0, 7 }, { 8, 9 } }).repeat(8, 1);
        var mask = tensor(new[,] { { false, true }, { true, true }, { false, true }, { true, true } }).repeat(8, 1);
        var chosen = tensor(new long[,] { { 20, 3 }, { 20, 39 }, { 20, 11 }, { 20, 39 } }).repeat(8, 1);
        var rejected = tensor(new long[,] { { 21, 3 }, { 21, 39 }, { 21, 12 }, { 21, 39 } }).repeat(8, 1);
        using var data = new PreferenceDataset(prompts, chosen, rejected, mask);
        Tensor Score(Tensor x, Tensor y, Tensor? m) => model.ScoreResponses(x, y, m, [39]);
        var before = RewardModelMethod.PairwiseAccuracy(Score, data);
        model.train();
        new Trainer(new TrainerConfig(Steps: 40, LearningRate: 1e-2)).Run(new RewardModelMethod(model, Score, data, new RewardModelConfig(8)));
        model.eval();
        var after = RewardModelMethod.PairwiseAccuracy(Score, data, batchSize: 5);
        Assert.Equal(1.0, after.Value);
        Assert.Equal(32, after.SampleCount);
        Assert.NotEqual(1.0, before.Value);

        // Known scores: chosen 1, 1, 0, 2 against rejected 0, 1, 1, 2 ⇒ accuracy (1 + ½ + 0 + ½) / 4 = ½.
        using var known = new PreferenceDataset(tensor(new long[,] { { 0 }, { 1 }, { 2 }, { 3 } }), tensor(new long[,] { { 1 }, { 1 }, { 0 }, { 2 } }),
            tensor(new long[,] { { 0 }, { 1 }, { 1 }, { 2 } }));
        var exact = RewardModelMethod.PairwiseAccuracy((_, y, _) => y.squeeze(1).to(ScalarType.Float32), known, batchSize: 3);
        Assert.Equal(0.5, exact.Value);
        Assert.Equal(Math.Sqrt((0.25 + 0.25) / 3 / 4), exact.StandardError, 12);
    }

    [Fact]
    public void A_mask_free_score_accepts_a_prompt_mask_that_pads_nothing()
    {
        // An all-true mask changes nothing a mask-free score could get wrong (padded masks are refused: PaddedPromptMethodTests).
        using var data = new PreferenceDataset(zeros(2, 2, ScalarType.Int64), zeros(2, 1, ScalarType.Int64), ones(2, 1, ScalarType.Int64), ones(2, 2, ScalarType.Bool));
        using var module = nn.Linear(1, 1);
        var method = new RewardModelMethod(module, (x, y) => y.to(ScalarType.Float32).squeeze(1), data, new RewardModelConfig(BatchSize: 2));
        using var generator = new torch.Generator(0);
        Assert.True(double.IsFinite(method.Step(generator).Loss.item<float>()));
    }
}
