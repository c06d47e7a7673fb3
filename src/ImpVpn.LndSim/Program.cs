using System.Runtime.InteropServices;
using System.Text.Json;
using ImpVpn.LndSim.Control;
using ImpVpn.LndSim.Hosting;

// ImpVpn.LndSim: N simulated LND nodes in one process, until Ctrl+C or SIGTERM. See docs/simulator.md.
SimulatorConfig config;
try
{
    config = SimulatorConfig.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or IOException or JsonException)
{
    Console.Error.WriteLine($"ImpVpn.LndSim: {e.Message}");
    Console.Error.WriteLine("usage: ImpVpn.LndSim --dir DIR --node NAME[@BIND[:PORT]]... [--channel FROM:TO:CAPACITY[:PUSH[:private]]]... [--profile ideal|realistic] [--seed N] [--gossip-delay-ms N] [--network regtest] [--control 127.0.0.1:0] [--config FILE]");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

Directory.CreateDirectory(config.BaseDirectory);
await using var simulation = await Simulation.StartAsync(new SimulationOptions
{
    BaseDirectory = config.BaseDirectory,
    Network = config.Network,
    Nodes = config.Nodes,
    HeldHtlcTimeout = TimeSpan.FromSeconds(config.HeldHtlcTimeoutSeconds),
    Profile = config.ParsedProfile,
    Seed = config.Seed,
    GossipDelay = TimeSpan.FromMilliseconds(config.GossipDelayMs),
}, stop.Token);
foreach (var channel in config.Channels)
{
    await simulation.OpenChannelAsync(channel.From, channel.To, channel.CapacitySat, channel.PushSat, isPrivate: channel.Private);
}

var (control, controlAddress) = await ControlEndpoint.StartAsync(simulation, config.Control, stop.Token);
foreach (var node in simulation.Nodes)
{
    Console.WriteLine($"node {node.Name} {node.RpcAddress} {node.PubKey} {node.NodeDirectory}");
}

var state = new
{
    network = config.Network,
    control = controlAddress.ToString(),
    nodes = simulation.Nodes.Select(ControlEndpoint.Describe),
};
await File.WriteAllTextAsync(Path.Combine(config.BaseDirectory, "sim.json"), JsonSerializer.Serialize(state, SimulatorConfig.Json));
Console.WriteLine($"control {controlAddress}");
Console.WriteLine("ready");

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

await control.StopAsync();
return 0;
