namespace AlignLab.Engine.Methods;

/// <summary>How <see cref="PreferenceDataset.FromBase"/> labels a pair (y₁, y₂) with the gold reward r.</summary>
public enum PairLabeling
{
    /// <summary>y₁ is chosen with probability σ(r(y₁) − r(y₂)) (the Bradley–Terry model DPO assumes, THEORY.md §7).</summary>
    BradleyTerry,

    /// <summary>The higher reward is chosen (ties uniformly at random).</summary>
    Deterministic,
}
