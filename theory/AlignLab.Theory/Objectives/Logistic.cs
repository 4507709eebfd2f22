namespace AlignLab.Theory.Objectives;

/// <summary>The logistic function and its log-partition, computed without overflow for either sign (DPO-type objectives).</summary>
internal static class Logistic
{
    /// <summary>σ(x) = 1/(1 + e^{−x}).</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>softplus(x) = log(1 + eˣ) = −log σ(−x).</summary>
    public static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));
}
