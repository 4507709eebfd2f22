namespace AlignLab.Engine.Methods;

/// <summary>
/// IPO (Azar et al. 2023): regularisation <see cref="Beta"/> β, target gap 1/(2β) (default β = 0.1); pairs per step
/// (default 32). For IPO-BoN use β*_n = <c>BonBonConstants.IpoBeta(n)</c>.
/// </summary>
public sealed record IpoConfig(double Beta = 0.1, int BatchSize = 32)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public IpoConfig Validate()
    {
        MethodChecks.Positive(Beta, nameof(Beta));
        MethodChecks.AtLeast(BatchSize, 1, nameof(BatchSize));
        return this;
    }
}
