namespace AlignLab.Dsl;

/// <summary>How a pair method of <see cref="BonBonFidelity"/> gets its best/worst-of-n pairs and is optimised (issue 12 item 2).</summary>
public enum BonBonProtocol
{
    /// <summary>AlignLab's protocol: fresh best/worst-of-n pairs of the reference every step, AdamW, clip 1.</summary>
    Fresh,

    /// <summary>
    /// The authors': a fixed best/worst-of-n dataset drawn once from the reference (at a sampling temperature), trained
    /// for E epochs in shuffled batches with RMSprop, linear warm-up and gradient-norm clip 10.
    /// </summary>
    Offline,
}
