using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Marketing.IntegrationTests.Hosting;

namespace Marketing.IntegrationTests.Kubernetes;

/// <summary>
/// The manifests under infra/k8s are not applied here (no cluster), so these tests hold them to what a deployment
/// needs: the silo's ports and probes as the silo serves them, secrets for every secret, and nothing secret inline.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = RepositoryPaths.KubernetesFolder;
    private readonly Manifests _manifests = Manifests.Load(Folder);

    [Fact]
    public void Every_document_is_a_named_kubernetes_object()
    {
        Assert.NotEmpty(_manifests.All);
        Assert.All(_manifests.All, m =>
        {
            Assert.False(string.IsNullOrEmpty((string?)m.Root["apiVersion"]), $"{m.File}: a document without apiVersion");
            Assert.False(string.IsNullOrEmpty(m.Kind), $"{m.File}: a document without kind");
            Assert.False(string.IsNullOrEmpty(m.Name) && m.Kind != "Kustomization", $"{m.File}: {m.Kind} without metadata.name");
        });
    }

    [Fact]
    public void The_kustomization_applies_every_manifest_except_the_secret_example()
    {
        var kustomization = _manifests.All.Single(m => m.Kind == "Kustomization").Root;
        var resources = kustomization["resources"]!.AsArray().Select(r => (string)r!).Order().ToList();
        var expected = Directory.GetFiles(Folder, "*.yaml").Select(f => Path.GetFileName(f))
            .Where(f => f is not ("kustomization.yaml" or "secret.example.yaml")).Order().ToList();

        Assert.Equal(expected, resources);
    }

    [Fact]
    public void Silos_expose_the_silo_gateway_and_http_ports_they_are_configured_with()
    {
        var silo = Container("marketing-silo");
        var ports = ContainerPorts(silo);

        Assert.Equal(11111, ports["silo"]);
        Assert.Equal(30000, ports["gateway"]);
        Assert.Equal(8081, ports["http"]);
        Assert.Equal("11111", Env(silo, "Silo__SiloPort"));
        Assert.Equal("30000", Env(silo, "Silo__GatewayPort"));
        Assert.Equal("http://0.0.0.0:8081", Env(silo, "ASPNETCORE_URLS"));
    }

    [Fact]
    public void Silos_advertise_their_pod_ip_and_have_time_to_leave_the_cluster_gracefully()
    {
        var deployment = _manifests.Single("Deployment", "marketing-silo");
        var silo = Container("marketing-silo");

        Assert.Equal("status.podIP", (string?)EnvEntry(silo, "Silo__AdvertisedIp")["valueFrom"]?["fieldRef"]?["fieldPath"]);
        Assert.True(int.Parse((string)deployment["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]!, System.Globalization.CultureInfo.InvariantCulture) >= 30);
        Assert.True(int.Parse((string)deployment["spec"]!["replicas"]!, System.Globalization.CultureInfo.InvariantCulture) >= 2, "one silo is no cluster");
    }

    [Theory]
    [InlineData("marketing-silo")]
    [InlineData("marketing-api")]
    public void Readiness_and_liveness_probe_the_health_endpoints_on_the_http_port(string deployment)
    {
        var container = Container(deployment);
        var http = ContainerPorts(container)["http"];

        foreach (var (probe, path) in new[] { ("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live") })
        {
            var get = container[probe]?["httpGet"];
            Assert.True(get is not null, $"{deployment} has no {probe}");
            Assert.Equal(path, (string?)get["path"]);
            var port = (string?)get["port"];
            Assert.True(port == "http" || port == $"{http}", $"{deployment} {probe} probes port {port}, not the http port {http}");
        }
    }

    [Theory]
    [InlineData("marketing-silo")]
    [InlineData("marketing-api")]
    public void Services_select_their_pods_and_target_a_port_the_pods_expose(string name)
    {
        var service = _manifests.Single("Service", name);
        var deployment = _manifests.Single("Deployment", name);
        var podLabels = deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        var ports = ContainerPorts(Container(name));

        Assert.All(service["spec"]!["selector"]!.AsObject(), s => Assert.Equal((string?)s.Value, (string?)podLabels[s.Key]));
        Assert.All(service["spec"]!["ports"]!.AsArray(), p =>
        {
            var target = (string?)p!["targetPort"];
            Assert.True(ports.ContainsKey(target!) || ports.ContainsValue(int.Parse(target!, System.Globalization.CultureInfo.InvariantCulture)), $"{name} service targets {target}");
        });
    }

    [Theory]
    [InlineData("marketing-silo")]
    [InlineData("marketing-api")]
    public void Storage_and_pseudonym_secrets_come_from_the_secret_that_the_example_defines(string deployment)
    {
        var container = Container(deployment);
        var secret = Manifests.Load(Folder).Single("Secret", "marketing-secrets");
        var keys = secret["stringData"]!.AsObject().Select(k => k.Key).ToHashSet();

        foreach (var name in new[] { "Cluster__StorageConnectionString", "Privacy__PseudonymKey" })
        {
            Assert.True(EnvEntry(container, name)["valueFrom"]?["secretKeyRef"] is not null, $"{deployment}: {name} must come from a Secret");
        }

        var refs = container["env"]!.AsArray().Select(e => e!["valueFrom"]?["secretKeyRef"]).OfType<JsonNode>().ToList();
        Assert.All(refs, r =>
        {
            Assert.Equal("marketing-secrets", (string?)r["name"]);
            Assert.Contains((string)r["key"]!, keys);
        });
    }

    [Fact]
    public void No_manifest_carries_a_connection_string_or_account_key()
    {
        var secretLike = new Regex(@"AccountKey=|DefaultEndpointsProtocol=|UseDevelopmentStorage|SharedAccessSignature=|devstoreaccount1", RegexOptions.IgnoreCase);
        foreach (var file in Directory.GetFiles(Folder, "*.yaml"))
        {
            var lines = File.ReadAllLines(file).Where(l => !l.TrimStart().StartsWith('#'));
            Assert.DoesNotContain(lines, l => secretLike.IsMatch(l));
        }
    }

    private JsonObject Container(string deployment)
    {
        var containers = _manifests.Single("Deployment", deployment)["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        return Assert.Single(containers)!.AsObject();
    }

    private static Dictionary<string, int> ContainerPorts(JsonObject container) =>
        container["ports"]!.AsArray().ToDictionary(
            p => (string)p!["name"]!,
            p => int.Parse((string)p!["containerPort"]!, System.Globalization.CultureInfo.InvariantCulture));

    private static JsonObject EnvEntry(JsonObject container, string name)
    {
        var entry = container["env"]!.AsArray().SingleOrDefault(e => (string?)e!["name"] == name);
        Assert.True(entry is not null, $"{(string?)container["name"]} sets no {name}");
        return entry.AsObject();
    }

    private static string? Env(JsonObject container, string name) => (string?)EnvEntry(container, name)["value"];
}
