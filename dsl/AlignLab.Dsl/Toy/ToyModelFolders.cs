namespace AlignLab.Dsl;

/// <summary>
/// The folders of a toy export (<see cref="ToyModels.ExportHuggingFace"/>): the base policy (GPT-2 layout with the toy
/// tokenizer), the Bradley–Terry reward model trained on its trunk (GPT2ForSequenceClassification, same tokenizer), and
/// the prompt file (JSONL, field <c>prompt</c>). Absolute paths.
/// </summary>
public sealed record ToyModelFolders(string Policy, string Reward, string Prompts);
