using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.LndSim.Hosting;
using ImpVpn.LndSim.Network;

namespace ImpVpn.Lightning.Tests;

/// <summary>A fresh simulated network in a temporary folder, and LND clients for its nodes over real gRPC and TLS.</summary>
internal sealed class TestNetwork : IAsyncDisposable
{
    private readonly List<LndNode> _clients = [];
    private readonly List<RawLnd> _raw = [];

    private TestNetwork(Simulation simulation, string folder)
    {
        Simulation = simulation;
        Folder = folder;
    }

    public Simulation Simulation { get; }

    public string Folder { get; }

    public static Task<TestNetwork> StartAsync(params string[] names) => StartAsync(SimProfile.Ideal, names);

    public static async Task<TestNetwork> StartAsync(SimProfile profile, params string[] names)
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-lnd-").FullName;
        var simulation = await Simulation.StartAsync(new SimulationOptions
        {
            BaseDirectory = folder,
            Nodes = names.Select(n => new SimNodeSpec(n)).ToList(),
            Profile = profile,
        }, CancellationToken.None);
        return new TestNetwork(simulation, folder);
    }

    public SimNode this[string name] => Simulation[name];

    public static LndConnectionOptions OptionsFor(SimNode node, string? network = "regtest") =>
        LndConnectionOptions.FromFiles(node.RpcAddress, node.TlsCertPath, node.MacaroonPath, network);

    public async Task<LndNode> ClientAsync(string name)
    {
        var client = await LndNode.ConnectAsync(OptionsFor(this[name]), requireSynced: true, CancellationToken.None);
        _clients.Add(client);
        return client;
    }

    /// <summary>Waits until a client's SubscribeCustomMessages stream has reached <paramref name="name"/>'s node, so a
    /// message sent next is delivered to it: the condition itself is waited for, not a guess at how long it takes.</summary>
    public async Task CustomMessageSubscriberAsync(string name)
    {
        var network = Simulation.Network;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (network.Read(() => network.Node(name).CustomMessageSubscribers.Count) == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No custom-message subscriber reached {name} within 20 s.");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>LND's generated clients (Lightning, Router, Invoices) for a node, for the fields the product's client does not surface.</summary>
    public RawLnd Raw(string name)
    {
        var raw = new RawLnd(this[name]);
        _raw.Add(raw);
        return raw;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var raw in _raw)
        {
            raw.Dispose();
        }

        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Simulation.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
