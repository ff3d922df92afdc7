using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Marketing.IntegrationTests.Kubernetes;

/// <summary>The documents of the YAML files under infra/k8s, read as JSON trees (every scalar a string).</summary>
public sealed class Manifests
{
    private Manifests(IReadOnlyList<Manifest> all)
    {
        All = all;
    }

    public IReadOnlyList<Manifest> All { get; }

    public static Manifests Load(string folder) =>
        new([.. Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal).SelectMany(LoadFile)]);

    /// <summary>The one object of this kind and name; fails the test naming what was there instead.</summary>
    public JsonObject Single(string kind, string name)
    {
        var found = All.Where(m => m.Kind == kind && m.Name == name).ToList();
        Assert.True(found.Count == 1, $"expected one {kind} {name}, found {found.Count} among: {string.Join(", ", All.Select(m => $"{m.Kind}/{m.Name}"))}");
        return found[0].Root;
    }

    private static IEnumerable<Manifest> LoadFile(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            stream.Load(reader);
        }

        foreach (var document in stream.Documents)
        {
            var root = Assert.IsType<JsonObject>(ToJson(document.RootNode));
            yield return new Manifest(Path.GetFileName(path), root);
        }
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode { Value: { } value } => JsonValue.Create(value),
        _ => null,
    };
}

/// <summary>One YAML document and the file it came from.</summary>
public sealed record Manifest(string File, JsonObject Root)
{
    public string? Kind => (string?)Root["kind"];

    public string? Name => (string?)Root["metadata"]?["name"];
}
