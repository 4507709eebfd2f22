namespace AlignLab.Engine.Training;

/// <summary>Which optimiser the <see cref="Trainer"/> uses.</summary>
public enum OptimizerKind
{
    /// <summary>AdamW (Loshchilov &amp; Hutter 2019), the default.</summary>
    AdamW,

    /// <summary>
    /// RMSprop (Tieleman &amp; Hinton 2012) as <c>torch.optim.RMSprop</c> computes it without momentum or centring: the
    /// optimiser of the BoNBoN authors' runs (issue 12).
    /// </summary>
    RmsProp,
}
