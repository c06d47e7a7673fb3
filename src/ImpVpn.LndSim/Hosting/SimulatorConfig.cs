using System.Globalization;
using System.Text.Json;

namespace ImpVpn.LndSim.Hosting;

/// <summary>What the simulator executable runs, from flags or a JSON config file (see docs/simulator.md).</summary>
public sealed class SimulatorConfig
{
    public string BaseDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "impvpn-lndsim");

    public string Network { get; set; } = "regtest";

    public List<SimNodeSpec> Nodes { get; set; } = [];

    public List<ChannelSpec> Channels { get; set; } = [];

    /// <summary>host:port of the loopback HTTP control endpoint; port 0 picks one.</summary>
    public string Control { get; set; } = "127.0.0.1:0";

    public int HeldHtlcTimeoutSeconds { get; set; } = 600;

    /// <summary>"ideal" (default) or "realistic": see docs/simulator.md, "Profiles".</summary>
    public string Profile { get; set; } = "ideal";

    public int Seed { get; set; } = 1;

    /// <summary>How long a new node announcement takes to reach the other nodes, in ms (LND's trickledelay by default).</summary>
    public int GossipDelayMs { get; set; } = (int)ImpVpn.LndSim.Network.SimNetwork.DefaultGossipDelay.TotalMilliseconds;

    [System.Text.Json.Serialization.JsonIgnore]
    public Network.SimProfile ParsedProfile => ParseProfile(Profile);

    public static Network.SimProfile ParseProfile(string text) =>
        Enum.TryParse<Network.SimProfile>(text, ignoreCase: true, out var profile) && Enum.IsDefined(profile)
            ? profile
            : throw new ArgumentException($"Unknown profile '{text}': use ideal or realistic.");

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static SimulatorConfig Parse(string[] args)
    {
        var config = new SimulatorConfig();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--config":
                    var file = Value();
                    config = JsonSerializer.Deserialize<SimulatorConfig>(File.ReadAllText(file), Json)
                        ?? throw new ArgumentException($"{file} is empty.");
                    break;
                case "--dir":
                    config.BaseDirectory = Value();
                    break;
                case "--network":
                    config.Network = Value();
                    break;
                case "--control":
                    config.Control = Value();
                    break;
                case "--held-htlc-timeout":
                    config.HeldHtlcTimeoutSeconds = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--profile":
                    config.Profile = ParseProfile(Value()).ToString().ToLowerInvariant();
                    break;
                case "--seed":
                    config.Seed = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--gossip-delay-ms":
                    config.GossipDelayMs = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--node":
                    config.Nodes.Add(ParseNode(Value()));
                    break;
                case "--channel":
                    config.Channels.Add(ParseChannel(Value()));
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. See docs/simulator.md.");
            }
        }

        if (config.Nodes.Count == 0)
        {
            throw new ArgumentException("Name at least one node: --node alice[@bind-address[:port]].");
        }

        return config;
    }

    /// <summary>"alice", "alice@10.0.0.1" or "alice@10.0.0.1:10009".</summary>
    public static SimNodeSpec ParseNode(string text)
    {
        var at = text.IndexOf('@');
        if (at < 0)
        {
            return new SimNodeSpec(text);
        }

        var address = text[(at + 1)..];
        var colon = address.LastIndexOf(':');
        return colon > 0 && !address.EndsWith(']')
            ? new SimNodeSpec(text[..at], address[..colon].Trim('[', ']'), int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture))
            : new SimNodeSpec(text[..at], address.Trim('[', ']'));
    }

    /// <summary>"alice:bob:1000000", "alice:bob:1000000:200000" (capacity and push in sat) or
    /// "alice:bob:1000000:0:private" (an unannounced channel).</summary>
    public static ChannelSpec ParseChannel(string text)
    {
        var parts = text.Split(':');
        var isPrivate = parts.Length == 5 && parts[4] == "private";
        return parts.Length is 3 or 4 || isPrivate
            ? new ChannelSpec(parts[0], parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture), parts.Length >= 4 ? long.Parse(parts[3], CultureInfo.InvariantCulture) : 0, isPrivate)
            : throw new ArgumentException($"'{text}' is not from:to:capacity[:push[:private]].");
    }
}

public sealed record ChannelSpec(string From, string To, long CapacitySat, long PushSat = 0, bool Private = false);
