using AlignLab.Engine.Runtime;
using static TorchSharp.torch;

namespace AlignLab.Dsl;

/// <summary>The checks of <see cref="Experiment.Validate"/>: everything that would fail later, found before training.</summary>
internal static class ExperimentValidation
{
    public static IReadOnlyList<string> Problems(Experiment experiment)
    {
        var problems = new List<string>();
        if (experiment.RealTask is { } real) problems.AddRange(RealTaskProblems(experiment, real));
        else problems.AddRange(ToyTaskProblems(experiment));
        if (experiment.GradientAccumulation < 1)
            problems.Add($"gradient accumulation must be >= 1 micro-batch per step (got {experiment.GradientAccumulation}).");

        try
        {
            ComputeContext.ResolveDevice(experiment.Device);
        }
        catch (ArgumentException e)
        {
            problems.Add($"device: {e.Message}");
        }
        if (experiment.DType is not (ScalarType.Float64 or ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16))
            problems.Add($"dtype must be a floating-point type such as Float32 or Float64 (got {experiment.DType}).");
        if (experiment.Threads < 0) problems.Add($"threads must be >= 0, 0 meaning torch's own choice (got {experiment.Threads}).");

        var methods = experiment.MethodSpecs;
        if (methods.Count == 0)
            problems.Add("no methods to compare; add some with .Compare(Methods.BonBon(n: 8), Methods.Dpo(beta: 0.1), ...).");
        for (int i = 0; i < methods.Count; i++)
            foreach (var problem in methods[i].Problems())
                problems.Add($"method[{i}] {methods[i].DisplayName}: {problem}");
        // A row is filed under its key in the run's row store, so two rows with one key would be one row.
        foreach (var group in methods.Select((m, i) => (Key: m.Key(experiment.Seed), i)).GroupBy(x => x.Key).Where(g => g.Count() > 1))
            problems.Add($"methods [{string.Join(", ", group.Select(x => x.i))}] compute the same row (key {group.Key}: same method, parameters and seed); keep one.");
        foreach (var group in methods.Select((m, i) => (m.DisplayName, Key: m.Key(experiment.Seed), i)).GroupBy(x => x.DisplayName)
                     .Where(g => g.Select(x => x.Key).Distinct().Count() > 1))
            problems.Add($"methods [{string.Join(", ", group.Select(x => x.i))}] share the row name '{group.Key}'; give one a name with .Named(\"...\").");
        if (experiment.CheckpointEvery < 0)
            problems.Add($"checkpoints: every must be >= 1, or 0 for none but the last and Ctrl-C's (got {experiment.CheckpointEvery}).");

        var scale = experiment.Scale;
        if (scale.Steps < 1) problems.Add($"scale: Steps must be >= 1 (got {scale.Steps}).");
        if (!(scale.LearningRate > 0)) problems.Add($"scale: LearningRate must be > 0 (got {scale.LearningRate}).");
        if (scale.PairBatchSize < 1 || scale.PromptBatchSize < 1) problems.Add($"scale: batch sizes must be >= 1 (got {scale.PairBatchSize}, {scale.PromptBatchSize}).");
        if (scale.SamplesPerPrompt < 2) problems.Add($"scale: SamplesPerPrompt must be >= 2 for RLOO (got {scale.SamplesPerPrompt}).");
        if (scale.CdfSamples < 1) problems.Add($"scale: CdfSamples must be >= 1 (got {scale.CdfSamples}).");
        if (scale.LogEvery < 1) problems.Add($"scale: LogEvery must be >= 1 (got {scale.LogEvery}).");

        var known = Metrics.All.Select(m => m.Name).ToList();
        var metrics = experiment.EffectiveMetrics;
        for (int i = 0; i < metrics.Count; i++)
        {
            var name = metrics[i].Name;
            if (!known.Contains(name))
                problems.Add($"metric[{i}] '{name}' is unknown; known metrics: {string.Join(", ", known)} (Metrics.WinRate, Metrics.Kl, ...).");
        }
        foreach (var group in metrics.Select((m, i) => (m.Name, i)).GroupBy(x => x.Name).Where(g => g.Count() > 1))
            problems.Add($"metrics [{string.Join(", ", group.Select(x => x.i))}] name '{group.Key}' more than once; name each metric once.");
        if (experiment.FrontierSpecs.Count > 0 && !(metrics.Any(m => m.Name == "kl") && metrics.Any(m => m.Name == "win_rate")))
            problems.Add("frontiers are drawn in (KL, win rate); add Metrics.Kl and Metrics.WinRate to .Evaluate(...), or drop .WithFrontiers(...).");
        return problems;
    }

    private static IEnumerable<string> ToyTaskProblems(Experiment experiment)
    {
        var task = experiment.Task;
        string? invalid = null;
        try
        {
            task.Config.Validate();
            (task.Base ?? experiment.Scale.EffectiveBase).Validate();
        }
        catch (ArgumentException e)
        {
            invalid = $"task {task.Name}: {e.Message}";
        }
        if (invalid is not null) yield return invalid;
        if (!task.IsEnumerable)
            yield return $"task {task.Name} has {task.ResponseCount:N0} responses per prompt, more than the {TaskSpec.MaxEnumerableResponses:N0} "
                + "that exact evaluation (KL, win rate, best-of-n by enumeration) can list; shorten responseLength or vocabSize.";
        if (experiment.Lora is not null)
            yield return "LoRA (.WithLora) adapts the transformers of real tasks; the toy task trains its small base in full: drop .WithLora or use Tasks.Real.";
    }

    private static IEnumerable<string> RealTaskProblems(Experiment experiment, RealTaskSpec task)
    {
        // The methods that read best/worst pairs, or the best samples, from an offline best-of-n file.
        var pairNs = task.BestOfN is null ? [] : experiment.MethodSpecs.Where(m => m.TrainsOnBestOfNData).Select(m => m.N).ToList();
        foreach (var problem in RealTaskData.Problems(task, pairNs)) yield return $"task {task.Name}: {problem}";
        if (experiment.FrontierSpecs.Count > 0)
            yield return "exact frontiers (.WithFrontiers) need an enumerable toy task; a real task's chart always draws the theoretical "
                + "best-of-n curve (KL = log n − (n−1)/n, W = n/(n+1)) instead: drop .WithFrontiers.";
        if (experiment.ExactOptima)
            yield return "exact optima (.WithExactOptima) enumerate every response of the toy task; drop it on a real task.";
        string? lora = null;
        try
        {
            experiment.Lora?.Validate();
        }
        catch (ArgumentException e)
        {
            lora = $"LoRA: {e.Message}";
        }
        if (lora is not null) yield return lora;
        if (experiment.Lora is not null && experiment.MethodSpecs.Any(m => m.Kind == MethodKind.JBond))
            yield return "J-BOND's moving anchor is an average of all weights, which LoRA does not train; use full fine-tuning (no .WithLora) or Methods.Bond.";
    }
}
