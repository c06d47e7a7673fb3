using System.Text.RegularExpressions;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Daemon;

/// <summary>
/// Every value of the daemon's configuration checked before anything starts, each refusal naming its key: a daemon
/// must not take payments for tunnels it cannot give, nor run a refresh that could spend without bound, and an
/// operator reading the journal must know which line to change.
/// </summary>
public static partial class DaemonConfigurationCheck
{
    private static readonly string[] Networks = ["mainnet", "testnet", "testnet4", "signet", "regtest", "simnet"];

    public static DaemonSettings Read(string path) => Check(DaemonConfigurationFile.Read(path));

    public static DaemonSettings Check(DaemonConfigurationFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var node = RequireSection(file.Node, "Node");
        var seller = RequireSection(file.Seller, "Seller");
        var refresh = RequireSection(file.Refresh, "Refresh");
        var api = RequireSection(file.Api, "Api");
        if (!seller.Enabled && !refresh.Enabled && !api.Enabled)
        {
            throw new DaemonConfigurationException("Seller.Enabled", "none of Seller.Enabled, Refresh.Enabled and Api.Enabled is true: the daemon would have nothing to do.");
        }

        var storePath = file.StorePath is null ? ContractStore.DefaultRoot() : RequirePath(file.StorePath, "StorePath");
        return new DaemonSettings(
            storePath,
            CheckNode(node),
            node.RequireSynced,
            seller.Enabled ? CheckSeller(seller) : null,
            refresh.Enabled ? CheckRefresh(refresh) : null,
            seller.Enabled ? null : LeftoverOf(seller),
            api.Enabled ? ApiConfigurationCheck.Check(api, storePath) : null);
    }

    private static LndConnectionOptions CheckNode(DaemonConfigurationFile.NodeSection node)
    {
        if (!Networks.Contains(node.Network, StringComparer.Ordinal))
        {
            throw new DaemonConfigurationException("Node.Network", $"'{node.Network}' is not a network; use one of {string.Join(", ", Networks)}.");
        }

        if (node.RpcAddress is not null)
        {
            Try("Node.RpcAddress", () => LndConnectionOptions.ParseHostPort(node.RpcAddress));
        }

        if (node.TlsCertPath is not null || node.MacaroonPath is not null)
        {
            var cert = RequirePath(node.TlsCertPath ?? throw new DaemonConfigurationException("Node.TlsCertPath", "is required when Node.MacaroonPath is given."), "Node.TlsCertPath");
            var macaroon = RequirePath(node.MacaroonPath ?? throw new DaemonConfigurationException("Node.MacaroonPath", "is required when Node.TlsCertPath is given."), "Node.MacaroonPath");
            RequireFile(cert, "Node.TlsCertPath");
            RequireFile(macaroon, "Node.MacaroonPath");
            return Try("Node", () => LndConnectionOptions.FromFiles(node.RpcAddress ?? LndDirectory.DefaultRpcAddress, cert, macaroon, node.Network));
        }

        var directory = node.LndDirectory is null ? LndDirectory.DefaultPath() : RequirePath(node.LndDirectory, "Node.LndDirectory");
        RequireFile(LndDirectory.TlsCertPath(directory), "Node.LndDirectory");
        RequireFile(LndDirectory.MacaroonPath(directory, node.Network), "Node.LndDirectory");
        return Try("Node.LndDirectory", () => LndDirectory.Resolve(directory, node.Network, node.RpcAddress));
    }

    private static SellerSettings CheckSeller(DaemonConfigurationFile.SellerSection seller)
    {
        var endpoint = Try("Seller.Endpoint", () => SellerOptions.ValidEndpoint(
            seller.Endpoint ?? throw new ArgumentException("is required when Seller.Enabled is true: the IP address or DNS name and port buyers reach.")));
        Try("Seller.InterfaceName", () => InterfaceName.Validate(seller.InterfaceName ?? string.Empty));
        RequireRange(seller.ListenPort, 1, 65535, "Seller.ListenPort");
        if (!IpPrefix.TryParse(seller.Subnet, out var subnet))
        {
            throw new DaemonConfigurationException("Seller.Subnet", $"'{seller.Subnet}' is not an address prefix such as 10.77.0.0/24.");
        }

        // The pool's own refusals (too small; wider than buyers take addresses from), said before anything starts.
        Try("Seller.Subnet", () => new AddressPool(subnet));
        RequireRange(seller.MaxActiveContracts, 1, 1_000_000, "Seller.MaxActiveContracts");
        RequireRange(seller.PricePerHourSat, 1, QuoteCheck.MaxSat, "Seller.PricePerHourSat");
        RequirePositive(seller.MinimumDuration, "Seller.MinimumDuration");
        RequirePositive(seller.MaximumDuration, "Seller.MaximumDuration");
        if (seller.MinimumDuration > seller.MaximumDuration)
        {
            throw new DaemonConfigurationException("Seller.MinimumDuration", $"{seller.MinimumDuration} is longer than Seller.MaximumDuration ({seller.MaximumDuration}).");
        }

        var pricing = Try("Seller.PricePerHourSat", () => new Pricing(seller.PricePerHourSat, seller.MinimumDuration, seller.MaximumDuration).Validated());
        foreach (var port in seller.AllowedPorts ?? throw new DaemonConfigurationException("Seller.AllowedPorts", "must be a list of ports ([] for none), not null."))
        {
            RequireRange(port, 1, 65535, "Seller.AllowedPorts");
        }

        if (seller.ManageFirewall && !seller.ConfigOnly && !OperatingSystem.IsLinux())
        {
            throw new DaemonConfigurationException("Seller.ManageFirewall", "ImpVpn closes a seller's interface with nftables, on Linux only; set it to false where this host's own firewall closes the interface.");
        }

        if (seller.NetworkNamespace is not null && (!OperatingSystem.IsLinux() || !NamespaceName().IsMatch(seller.NetworkNamespace)))
        {
            throw new DaemonConfigurationException("Seller.NetworkNamespace", OperatingSystem.IsLinux()
                ? $"'{seller.NetworkNamespace}' is not a network namespace name (letters, digits, '-', '_', '.', at most 64)."
                : "network namespaces exist only on Linux.");
        }

        var portForward = PortForwardConfigurationCheck.Check(seller.PortForward, endpoint, seller.ManageFirewall, seller.ConfigOnly);
        var (modes, exit) = CheckModes(seller);
        if (modes.Contains(TunnelMode.PortForward) && portForward is null)
        {
            throw new DaemonConfigurationException("Seller.PortForward", "Seller.Modes holds \"PortForward\": give the public ports forwarded to buyers (\"Ports\": \"40000-40999\") and, where it is not the endpoint's host, the public address.");
        }

        var options = new SellerOptions
            {
                PortForward = portForward,
                InterfaceName = seller.InterfaceName!,
                Endpoint = endpoint,
                ListenPort = seller.ListenPort,
                Subnet = subnet,
                Pricing = pricing,
                AllowedPorts = seller.AllowedPorts,
                AllowBuyerToBuyer = seller.AllowBuyerToBuyer,
                ManageFirewall = seller.ManageFirewall,
                ConfigOnly = seller.ConfigOnly,
                MaxActiveContracts = seller.MaxActiveContracts,
                SoldModes = modes,
                EgressInterface = exit.EgressInterface,
                Resolvers = exit.Resolvers ?? [],
                RefusedDestinations = exit.Refused,
                IPv6Exit = exit.IPv6,
                Region = CheckRegion(seller.Region),
            };
        try
        {
            SellerExitCheck.Check(options);
        }
        catch (SellerExitException e)
        {
            throw new DaemonConfigurationException(KeyOf(e.Setting), e.Message, e);
        }

        return new SellerSettings(options, seller.NetworkNamespace);
    }

    /// <summary>The modes sold and the exit's settings, each checked where the file holds it.</summary>
    private static string? CheckRegion(string? region)
    {
        try
        {
            return SellerOptions.ValidRegion(region);
        }
        catch (ArgumentException e)
        {
            throw new DaemonConfigurationException("Seller.Region", e.Message, e);
        }
    }

    /// <summary>An enum value named in the file, in any case; numbers and comma lists (which Enum.TryParse would
    /// take) are not names a user writes, so they are refused like any unknown name.</summary>
    internal static bool TryParseName<T>(string? text, out T value)
        where T : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _);

    private static (TunnelMode[] Modes, (string? EgressInterface, string[]? Resolvers, IpPrefix[] Refused, IPv6Exit IPv6) Exit) CheckModes(DaemonConfigurationFile.SellerSection seller)
    {
        var names = seller.Modes ?? throw new DaemonConfigurationException("Seller.Modes", "must be a list of modes (\"NodeToNode\", \"Exit\", \"PortForward\"), not null.");
        var modes = new List<TunnelMode>();
        foreach (var name in names)
        {
            if (!TryParseName<TunnelMode>(name, out var mode))
            {
                throw new DaemonConfigurationException("Seller.Modes", $"'{name}' is not a mode this seller can sell: \"NodeToNode\", \"Exit\" or \"PortForward\".");
            }

            if (!modes.Contains(mode))
            {
                modes.Add(mode);
            }
        }

        if (modes.Count == 0)
        {
            throw new DaemonConfigurationException("Seller.Modes", "names no mode: a seller sells at least one (\"NodeToNode\", \"Exit\", \"PortForward\").");
        }

        var exit = RequireSection(seller.Exit, "Seller.Exit");
        var refused = new List<IpPrefix>();
        foreach (var text in exit.RefusedDestinations ?? throw new DaemonConfigurationException("Seller.Exit.RefusedDestinations", "must be a list of prefixes ([] for none), not null."))
        {
            if (!IpPrefix.TryParse(text, out var prefix))
            {
                throw new DaemonConfigurationException("Seller.Exit.RefusedDestinations", $"'{text}' is not an address prefix such as 192.0.2.0/24 or 2001:db8::/48.");
            }

            refused.Add(prefix);
        }

        if (!Enum.TryParse<IPv6Exit>(exit.IPv6, ignoreCase: true, out var ipv6) || int.TryParse(exit.IPv6, out _))
        {
            throw new DaemonConfigurationException("Seller.Exit.IPv6", $"'{exit.IPv6}' is not an IPv6 exit: \"Masquerade\" (NAT66) or \"Routed\".");
        }

        if (exit.Resolvers is null)
        {
            throw new DaemonConfigurationException("Seller.Exit.Resolvers", "must be a list of IP addresses ([] for none), not null.");
        }

        return ([.. modes], (exit.EgressInterface, exit.Resolvers, [.. refused], ipv6));
    }

    private static string KeyOf(string setting) => setting switch
    {
        nameof(SellerOptions.EgressInterface) => "Seller.Exit.EgressInterface",
        nameof(SellerOptions.Resolvers) => "Seller.Exit.Resolvers",
        nameof(SellerOptions.RefusedDestinations) => "Seller.Exit.RefusedDestinations",
        nameof(SellerOptions.IPv6Exit) => "Seller.Exit.IPv6",
        _ => "Seller." + setting,
    };

    /// <summary>A seller turned off still names the interface an earlier run of it made: enough to take that away
    /// (a seller disabled leaves nothing behind). Nothing when those names are not valid: then no run made them.</summary>
    private static SellerSettings? LeftoverOf(DaemonConfigurationFile.SellerSection seller)
    {
        if (seller.InterfaceName is null || !ValidInterfaceName(seller.InterfaceName)
            || (seller.NetworkNamespace is not null && (!OperatingSystem.IsLinux() || !NamespaceName().IsMatch(seller.NetworkNamespace))))
        {
            return null;
        }

        // Only what a withdrawal reads: the interface, whether it is ImpVpn's to touch, and its firewall.
        return new SellerSettings(
            new SellerOptions { Endpoint = string.Empty, InterfaceName = seller.InterfaceName, ConfigOnly = seller.ConfigOnly, ManageFirewall = seller.ManageFirewall },
            seller.NetworkNamespace);
    }

    private static bool ValidInterfaceName(string name)
    {
        try
        {
            InterfaceName.Validate(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static RefreshSchedule CheckRefresh(DaemonConfigurationFile.RefreshSection refresh)
    {
        RequirePositive(refresh.Interval, "Refresh.Interval");
        if (refresh.Interval < TimeSpan.FromSeconds(1) || refresh.Interval > TimeSpan.FromDays(49))
        {
            // A timer's bounds (about 49.7 days), and a floor that keeps a mistyped interval from hammering the node.
            throw new DaemonConfigurationException("Refresh.Interval", $"{refresh.Interval} is outside 00:00:01 to 49.00:00:00.");
        }

        RequirePositive(refresh.ExpiringWithin, "Refresh.ExpiringWithin");
        RequirePositive(refresh.Duration, "Refresh.Duration");
        RequirePositive(refresh.BudgetPeriod, "Refresh.BudgetPeriod");
        var budget = refresh.BudgetSat ?? throw new DaemonConfigurationException("Refresh.BudgetSat",
            "is required when Refresh.Enabled is true: an unattended refresh without a total could spend without bound.");
        RequireRange(budget, 1, QuoteCheck.MaxSat, "Refresh.BudgetSat");
        if (refresh.MaxPriceSat is { } maxPrice)
        {
            RequireRange(maxPrice, 1, QuoteCheck.MaxSat, "Refresh.MaxPriceSat");
        }

        if (refresh.MaxRoutingFeeSat is { } maxFee)
        {
            RequireRange(maxFee, 0, QuoteCheck.MaxSat, "Refresh.MaxRoutingFeeSat");
        }

        return new RefreshSchedule(refresh.Interval, refresh.ExpiringWithin, refresh.Duration, budget, refresh.BudgetPeriod,
            new BuyerOptions { MaxPriceSat = refresh.MaxPriceSat, MaxRoutingFeeSat = refresh.MaxRoutingFeeSat });
    }

    // A section written as null in the file ("Seller": null) would otherwise surface as a NullReferenceException.
    private static T RequireSection<T>(T? section, string key)
        where T : class =>
        section ?? throw new DaemonConfigurationException(key, "must be an object, not null.");

    // A service's working folder is not the operator's: relative paths would point somewhere unexpected.
    internal static string RequirePath(string path, string key) =>
        path.Length > 0 && Path.IsPathFullyQualified(path)
            ? path
            : throw new DaemonConfigurationException(key, $"'{path}' is not an absolute path.");

    internal static void RequireFile(string path, string key)
    {
        if (!File.Exists(path))
        {
            throw new DaemonConfigurationException(key, $"{path} does not exist or cannot be read.");
        }
    }

    internal static void RequireRange(long value, long min, long max, string key)
    {
        if (value < min || value > max)
        {
            throw new DaemonConfigurationException(key, $"{value} is out of range ({min} to {max}).");
        }
    }

    internal static void RequirePositive(TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new DaemonConfigurationException(key, $"{value} is not a positive duration (d.hh:mm:ss).");
        }
    }

    private static T Try<T>(string key, Func<T> check)
    {
        try
        {
            return check();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or LightningException or IOException or UnauthorizedAccessException)
        {
            throw new DaemonConfigurationException(key, e.Message, e);
        }
    }

    private static void Try(string key, Action check) => Try(key, () =>
    {
        check();
        return true;
    });

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex NamespaceName();
}
