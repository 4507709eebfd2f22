namespace AlignLab.Engine.Experiments;

/// <summary>
/// One point of the over-optimisation curves: best-of-<see cref="N"/> with respect to reward <see cref="Reward"/>
/// ("gold", "proxy", or "proxy-penalised" with weight <see cref="PenaltyWeight"/>), averaged uniformly over prompts and
/// computed exactly by enumeration: <see cref="Kl"/> = KL(π_n‖p), <see cref="GoldReward"/> = E_{π_n}[r_gold],
/// <see cref="ProxyReward"/> = E_{π_n}[r*] (the proxy's mean, unpenalised), <see cref="GoldWinRate"/> = W(π_n) under the
/// gold reward (THEORY.md §1–§2, §7).
/// </summary>
public sealed record OverOptimisationPoint(string Reward, double PenaltyWeight, int N, double Kl, double GoldReward, double ProxyReward, double GoldWinRate);
