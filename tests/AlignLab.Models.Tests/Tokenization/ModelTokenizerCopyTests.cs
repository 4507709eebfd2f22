using AlignLab.Models.Tokenization;

namespace AlignLab.Models.Tests.Tokenization;

/// <summary>A model folder's text files copied beside a saved copy of its weights read text exactly as the original.</summary>
public sealed class ModelTokenizerCopyTests : IDisposable
{
    private readonly TokenizerFixtures _fixtures = new();

    public void Dispose() => _fixtures.Dispose();

    [Fact]
    public void CopyFiles_CopiesTheTokenizerAndChatTemplate_AndNothingElse()
    {
        var source = _fixtures.CopyOf(TokenizerFixtures.ByteLevel);
        File.WriteAllText(Path.Combine(source, "chat_template.jinja"), "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}");
        File.WriteAllText(Path.Combine(source, "model.safetensors"), "weights are not the tokenizer's");
        var target = _fixtures.EmptyFolder();

        ModelTokenizer.CopyFiles(source, target);

        var expected = Directory.GetFiles(source).Select(Path.GetFileName).Where(name => ModelTokenizer.FolderFiles.Contains(name)).Order().ToList();
        Assert.Contains("chat_template.jinja", expected);
        Assert.Equal(expected, Directory.GetFiles(target).Select(Path.GetFileName).Order().ToList());
        foreach (var name in expected) Assert.Equal(File.ReadAllBytes(Path.Combine(source, name!)), File.ReadAllBytes(Path.Combine(target, name!)));
        var text = "Hello, world: ünïcode";
        Assert.Equal(ModelTokenizer.Load(source).Encode(text), ModelTokenizer.Load(target).Encode(text));
        Assert.Equal(ChatTemplate.Exists(source), ChatTemplate.Exists(target));
    }
}
