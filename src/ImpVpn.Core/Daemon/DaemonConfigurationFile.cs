using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImpVpn.Core.Daemon;

/// <summary>
/// The daemon's configuration file (JSON, documented in docs/daemon.md) as written: every value as the operator
/// typed it, checked only by <see cref="DaemonConfigurationCheck"/>. One type for reading (the daemon) and writing
/// (the installer), so the two never disagree on a key's name.
/// </summary>
public sealed class DaemonConfigurationFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        // A misspelt key would otherwise be silently ignored, and a seller started on a default the operator meant
        // to change: unknown keys are refused, named by their path.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    /// <summary>The contract store; the daemon's own user's default store when absent.</summary>
    public string? StorePath { get; set; }

    public NodeSection Node { get; set; } = new();

    public SellerSection Seller { get; set; } = new();

    public RefreshSection Refresh { get; set; } = new();

    /// <summary>The seed's API (vpn.VPN over gRPC and HTTP) and its extras; off unless enabled (ApiSection).</summary>
    public ApiSection Api { get; set; } = new();

    /// <summary>Reads <paramref name="path"/>; a file that is missing, not JSON, or has a key or value of the wrong
    /// kind is a <see cref="DaemonConfigurationException"/> naming the key.</summary>
    public static DaemonConfigurationFile Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaemonConfigurationException("(file)", $"cannot read the configuration file {path}: {e.Message}", e);
        }

        try
        {
            return JsonSerializer.Deserialize<DaemonConfigurationFile>(text, Json)
                ?? throw new DaemonConfigurationException("(file)", $"{path} holds no configuration (null).");
        }
        catch (JsonException e)
        {
            // The serializer's path ($.Seller.ListenPort) is the key; its message says what was wrong with it.
            var key = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "(file)" : e.Path.TrimStart('$', '.');
            throw new DaemonConfigurationException(key, $"{path} is not a valid configuration: {e.Message}", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public sealed class NodeSection
    {
        /// <summary>LND's directory (tls.cert and data/chain/bitcoin/&lt;network&gt;/admin.macaroon); LND's default
        /// when neither this nor the two file paths are given.</summary>
        public string? LndDirectory { get; set; }

        public string? RpcAddress { get; set; }

        public string? TlsCertPath { get; set; }

        public string? MacaroonPath { get; set; }

        public string Network { get; set; } = "mainnet";

        /// <summary>Refuse to start while the node is not synced to the chain.</summary>
        public bool RequireSynced { get; set; } = true;
    }

    public sealed class SellerSection
    {
        public bool Enabled { get; set; }

        public string? Endpoint { get; set; }

        public string InterfaceName { get; set; } = "impvpn0";

        public int ListenPort { get; set; } = 51820;

        public string Subnet { get; set; } = "10.77.0.0/24";

        public long PricePerHourSat { get; set; } = 1000;

        public TimeSpan MinimumDuration { get; set; } = TimeSpan.FromMinutes(1);

        public TimeSpan MaximumDuration { get; set; } = TimeSpan.FromDays(30);

        public int[] AllowedPorts { get; set; } = [9735];

        public bool AllowBuyerToBuyer { get; set; }

        public bool ManageFirewall { get; set; } = true;

        /// <summary>Keep contracts and invoices but touch no interface (WireGuard set up elsewhere).</summary>
        public bool ConfigOnly { get; set; }

        /// <summary>The most contracts active at once; a buyer beyond it is refused at accept.</summary>
        public int MaxActiveContracts { get; set; } = 1000;

        /// <summary>Linux: the network namespace the seller's interface and firewall live in; the daemon's own when absent.</summary>
        public string? NetworkNamespace { get; set; }

        /// <summary>Port forwards: the public address and ports forwarded to buyers' Lightning port (PortForwardSection).</summary>
        public PortForwardSection? PortForward { get; set; }

        /// <summary>The tunnel modes sold: "NodeToNode", "Exit", "PortForward" (case-insensitive).</summary>
        public string[] Modes { get; set; } = ["NodeToNode"];

        /// <summary>The exit, when <see cref="Modes"/> holds "Exit".</summary>
        public ExitSection Exit { get; set; } = new();

        /// <summary>A short label of where this seller is ("eu-west", "Frankfurt 2"), given in its offer; none when absent.</summary>
        public string? Region { get; set; }
    }

    public sealed class ExitSection
    {
        /// <summary>The interface buyers' traffic leaves by (eth0, say). Required to sell exits.</summary>
        public string? EgressInterface { get; set; }

        /// <summary>The resolvers handed to exit buyers: IP addresses of the pool's family. Required to sell exits.</summary>
        public string[] Resolvers { get; set; } = [];

        /// <summary>The seller's own networks buyers must not reach, beyond the private and reserved ranges and the
        /// egress interface's own networks.</summary>
        public string[] RefusedDestinations { get; set; } = [];

        /// <summary>An IPv6 pool's exit: "Masquerade" (NAT66) or "Routed" (the pool is routed to this host).</summary>
        public string IPv6 { get; set; } = "Masquerade";
    }

    public sealed class RefreshSection
    {
        public bool Enabled { get; set; }

        /// <summary>How often the daemon looks for tunnels to refresh.</summary>
        public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

        public TimeSpan ExpiringWithin { get; set; } = TimeSpan.FromHours(2);

        public TimeSpan Duration { get; set; } = TimeSpan.FromDays(1);

        /// <summary>The most all refreshes of one budget period may cost, fees included. Required when enabled.</summary>
        public long? BudgetSat { get; set; }

        public TimeSpan BudgetPeriod { get; set; } = TimeSpan.FromDays(30);

        public long? MaxPriceSat { get; set; }

        public long? MaxRoutingFeeSat { get; set; }
    }
}
