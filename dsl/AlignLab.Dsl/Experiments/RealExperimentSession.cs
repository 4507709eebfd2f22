using AlignLab.Dsl.Plots;
using AlignLab.Dsl.Results;
using AlignLab.Engine.Estimation;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Runtime;
using AlignLab.Models;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Lora;
using AlignLab.Models.Tokenization;
using AlignLab.Theory;
using TorchSharp;

namespace AlignLab.Dsl;

/// <summary>
/// The rows of an experiment on a real task (<see cref="RealTaskSpec"/>): the prompts, split and encoded once, and the
/// reward, loaded once; models are loaded per row, so none stays resident between rows. A trained row loads a fresh
/// policy — with LoRA adapters whose reference is the same model with its adapters off, or in full against a frozen
/// second copy — trains it through <see cref="RowTraining"/> (checkpoints in the row's folder), saves it in the row's
/// folder (a PEFT adapter folder, or a Hugging Face model folder with the tokenizer) and evaluates it by Monte-Carlo on
/// the held-out prompts (<see cref="MonteCarloEvaluation.Evaluate"/>). Base is the reference evaluated against itself (KL 0 and win rate ½, both exact);
/// BestOfN is best-of-n of the reference (<see cref="MonteCarloEvaluation.EvaluateBestOfN"/>) with its exact KL bound.
/// Every row's evaluation draws from the same seed, so a row recomputed after a resume gives the same figures.
/// </summary>
internal sealed class RealExperimentSession : IExperimentSession
{
    /// <summary>Folder, inside a row's folder, of a trained row's LoRA adapters (PEFT layout).</summary>
    public const string AdapterFolder = "adapter";

    /// <summary>Folder, inside a row's folder, of a fully fine-tuned row's policy (Hugging Face layout, with the tokenizer).</summary>
    public const string PolicyFolder = "policy";

    private readonly Experiment _experiment;
    private readonly RealTaskSpec _spec;
    private readonly ComputeContext _context;
    private RealTaskData? _data;

    public RealExperimentSession(Experiment experiment)
    {
        _experiment = experiment;
        _spec = experiment.RealTask ?? throw new ArgumentException("the experiment has no real task.", nameof(experiment));
        _context = ComputeContext.Create(experiment.ComputeOptions);
    }

    // Opened on first use: collecting a sweep's finished rows reads no model or prompt.
    private RealTaskData Data => _data ??= RealTaskData.Open(_spec, _context);

    /// <inheritdoc />
    public ExperimentRow ComputeRow(MethodSpec spec, Action<long, IReadOnlyDictionary<string, double>>? log, string rowFolder, bool allowConfigChange,
        CancellationToken cancellationToken)
    {
        if (!spec.IsTrained)
        {
            using var baseModel = Data.LoadPolicy();
            var metrics = spec.Kind == MethodKind.BestOfN
                ? Evaluate(spec, gen => MonteCarloEvaluation.EvaluateBestOfN(baseModel, Data.Reward, spec.N, Data.EvalPrompts.Prompts, Data.EvalPrompts.Mask, Config, gen))
                : Evaluate(spec, gen => MonteCarloEvaluation.Evaluate(baseModel, baseModel, Data.Reward, Data.EvalPrompts.Prompts, Data.EvalPrompts.Mask, Config, gen));
            return Row(spec, metrics, new RowTraining.Outcome(0, double.NaN, 0.0));
        }

        using var policy = Data.LoadPolicy();
        using var frozen = _experiment.Lora is null ? Data.LoadPolicy() : null;
        using var anchor = spec.Kind == MethodKind.JBond ? Data.LoadPolicy() : null;
        if (_experiment.Lora is { } lora)
        {
            // The adapters' random initialisation is fixed by the seed alone (a resumed row then overwrites it from its checkpoint).
            _context.SeedInitialisation(_experiment.Seed);
            LoraAdapters.Apply(policy, lora);
        }
        // The reference (and J-BOND's anchor, which moves by an average, not by gradients) build no autograd graph.
        foreach (var model in new[] { frozen, anchor }.OfType<CausalLm>())
            foreach (var p in model.parameters()) p.requires_grad = false;
        ISequencePolicy reference = frozen is null ? new AdaptersOffPolicy(policy) : frozen;
        using var offline = spec.TrainsOnBestOfNData && _spec.BestOfN is not null ? Data.OfflinePairs(policy, keepTies: spec.Kind == MethodKind.SftBon) : null;
        var (prompts, mask) = Data.TrainPrompts;
        var inputs = new MethodBuilder.MethodInputs(policy, reference, anchor, prompts, mask, Data.Reward, Data.Sampling, offline);
        RowTraining.Outcome outcome;
        using (var method = MethodBuilder.Build(spec, inputs, _experiment.Scale, _experiment.Seed))
        {
            // Dropout stays off (the model stays in eval mode), as TRL's disable_dropout: the methods compare the policy's
            // log-probs with the reference's, which under LoRA are the same weights with the adapters off, so noise on one
            // side would bias every log-ratio. Only the adapters' own dropout (LoraConfig.Dropout) trains.
            foreach (var (_, layer) in LoraAdapters.Layers(policy)) layer.train();
            outcome = RowTraining.Run(_experiment, spec, method.Method, log, rowFolder, allowConfigChange, cancellationToken);
            policy.eval();
        }
        Save(policy, rowFolder);
        var trained = Evaluate(spec, gen => MonteCarloEvaluation.Evaluate(policy, reference, Data.Reward, Data.EvalPrompts.Prompts, Data.EvalPrompts.Mask, Config, gen));
        return Row(spec, trained, outcome);
    }

    /// <inheritdoc />
    public ExperimentResult Finish(IReadOnlyList<ExperimentRow> rows, RunWriter run)
    {
        var curves = new[] { BestOfNBoundCurve(rows) };
        var points = rows.Select(r => new ResultPoint(r.Spec.KindName, r.Kl, r.KlStdErr, r.WinRate, r.WinRateStdErr, r.Method)).ToList();
        var chart = FrontierChart.Create(FrontierMetric.WinRate, curves, points,
            $"{_experiment.Name}: win rate vs KL (Monte-Carlo, ±1 standard error; {_experiment.TaskName})");
        var table = ResultTable.FromRows(rows.Select(TableRow).ToList());
        run.WriteTable(table);
        run.SaveChart("frontier", chart);
        return new ExperimentResult(_experiment, rows, curves, chart, table, run.Id, run.Folder, _context.Describe());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _data?.Dispose();
        _context.Dispose();
    }

    /// <summary>
    /// The theoretical best-of-n curve for continuous rewards, (log n − (n−1)/n, n/(n+1)) for real n ≥ 1 (THEORY.md §2):
    /// the reference a real chart has instead of exact frontiers, up to the larger n of the rows (at least 16) and past
    /// the largest estimated KL.
    /// </summary>
    private static FrontierCurve BestOfNBoundCurve(IReadOnlyList<ExperimentRow> rows)
    {
        double klMax = rows.Select(r => r.Kl + r.KlStdErr).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        double nMax = Math.Max(16, rows.Where(r => r.Spec.UsesN).Select(r => (double)r.Spec.N).DefaultIfEmpty(0).Max());
        while (ContinuousCase.BonKl(nMax) < 1.1 * klMax) nMax *= 2;
        // Points evenly spread in log n, so the curve is smooth where it bends (small n).
        var ns = Enumerable.Range(0, 61).Select(i => Math.Exp(Math.Log(nMax) * i / 60)).ToArray();
        return new FrontierCurve("best-of-n (theory: log n − (n−1)/n, n/(n+1))", [.. ns.Select(ContinuousCase.BonKl)], [.. ns.Select(ContinuousCase.BonWinRate)]);
    }

    private MonteCarloConfig Config => new(Data.Sampling, _spec.EvalSamplesPerPrompt, _spec.BatchSize);

    /// <summary>Runs one evaluation with a generator seeded by the experiment's seed (the same for every row).</summary>
    private MonteCarloMetrics Evaluate(MethodSpec spec, Func<torch.Generator, MonteCarloMetrics> evaluate)
    {
        if (_experiment.ShowProgress) Console.Error.WriteLine($"{spec.DisplayName}: evaluating on {Data.EvalRows.Count} held-out prompts × {_spec.EvalSamplesPerPrompt} samples");
        using var generator = new torch.Generator((ulong)_experiment.Seed, _context.Device);
        using var noGrad = torch.no_grad();
        return evaluate(generator);
    }

    private ExperimentRow Row(MethodSpec spec, MonteCarloMetrics m, RowTraining.Outcome training) =>
        new(spec.DisplayName, spec, training.Steps, m.WinRate.Value, m.Kl.Value, m.ExpectedReward.Value, m.Length.Value,
            double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, training.Loss, training.Seconds,
            WinRateStdErr: m.WinRate.StandardError, KlStdErr: m.Kl.StandardError, ExpectedRewardStdErr: m.ExpectedReward.StandardError,
            OffTargetStdErr: m.Length.StandardError, KlBound: m.KlBound, EvalPrompts: Data.EvalRows.Count, RuleAlpha: training.RuleAlpha);

    /// <summary>
    /// Saves the trained policy in <paramref name="rowFolder"/> for reuse: its LoRA adapters as a PEFT folder naming the
    /// base, or the whole model as a Hugging Face folder with the policy's tokenizer files beside it.
    /// </summary>
    private void Save(CausalLm policy, string rowFolder)
    {
        var basePolicy = Path.GetFullPath(_spec.Policy);
        if (_experiment.Lora is not null)
        {
            PeftAdapterFolder.Save(policy, Path.Combine(rowFolder, AdapterFolder), basePolicy);
            return;
        }
        var folder = Path.Combine(rowFolder, PolicyFolder);
        HuggingFaceFolder.Save(policy, folder);
        // The tokenizer's files and the generation settings, so the saved policy reads, renders and stops as the base did.
        ModelTokenizer.CopyFiles(basePolicy, folder, [.. ModelTokenizer.FolderFiles, "generation_config.json"]);
    }

    private IReadOnlyDictionary<string, object?> TableRow(ExperimentRow r)
    {
        var row = ExperimentTable.Start(r);
        var values = new Dictionary<string, (double Value, double StdErr)>
        {
            ["win_rate"] = (r.WinRate, r.WinRateStdErr), ["kl"] = (r.Kl, r.KlStdErr),
            ["expected_reward"] = (r.ExpectedReward, r.ExpectedRewardStdErr), ["off_target"] = (r.OffTarget, r.OffTargetStdErr),
        };
        foreach (var metric in _experiment.EffectiveMetrics)
        {
            var (value, stdErr) = values[metric.Name];
            row[metric.Name] = ExperimentTable.Value(value);
            row[metric.Name + "_se"] = ExperimentTable.Value(stdErr);
            // The exact bound goes right beside the KL estimate it bounds.
            if (metric.Name == "kl") row["kl_bound"] = ExperimentTable.Value(r.KlBound);
        }
        row["eval_prompts"] = r.EvalPrompts;
        ExperimentTable.Finish(row, r);
        return row;
    }
}
