namespace AlignLab.Cli.Commands;

/// <summary>Invalid input to <c>alignlab theory</c> (bad JSON, an invalid distribution or parameter): one clear message.</summary>
internal sealed class TheoryInputException(string message) : Exception(message);
