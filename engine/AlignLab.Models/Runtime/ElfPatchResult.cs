namespace AlignLab.Models.Runtime;

/// <summary>What <see cref="ElfVersionNeeds.MarkWeak"/> found and did.</summary>
public enum ElfPatchResult
{
    /// <summary>The file needs that version and at least one need was made weak.</summary>
    Patched,

    /// <summary>Every need of that version was weak already; nothing changed.</summary>
    AlreadyWeak,

    /// <summary>The file does not need that version; nothing changed.</summary>
    NotNeeded,
}
