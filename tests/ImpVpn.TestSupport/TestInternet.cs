using System.Diagnostics;
using System.Net;

namespace ImpVpn.TestSupport;

/// <summary>
/// A stand-in internet and a seller LAN beside the seller's namespace (<see cref="NetworkNamespacePair.B"/>), in
/// documentation ranges no real network uses:
/// <list type="bullet">
/// <item>the internet: namespace <c>ext-i-TAG</c> on a veth link to the seller (seller <see cref="SellerEgressAddress"/>
/// on <see cref="EgressInterface"/>, internet <see cref="InternetAddress"/>, in 198.51.100.0/24), with an HTTP echo
/// (<see cref="HttpEcho"/>, port <see cref="EchoPort"/>) and dnsmasq logging queries and answering
/// <c>example.test</c>; it also holds <see cref="SellerListedAddress"/> (192.0.2.80), routed by the seller through
/// the egress interface, the way a seller's own public network would be;</item>
/// <item>the seller's LAN: namespace <c>ext-l-TAG</c> on another veth link (seller <see cref="SellerLanAddress"/>,
/// LAN host <see cref="LanHostAddress"/>, in 203.0.113.0/24).</item>
/// </list>
/// Each link also carries IPv6 in 2001:db8::/32 (the <c>…6</c> constants). Both namespaces route everything back
/// through the seller, so only the seller's firewall stands between a buyer and them.
/// Dispose stops the echo and dnsmasq, deletes the namespaces (and with them the veths) and the query log.
/// </summary>
public sealed class TestInternet : IDisposable
{
    public const int EchoPort = 80;
    public const string InternetPrefix = "198.51.100.0/24";
    public const string SellerEgressAddress = "198.51.100.1";
    public const string InternetAddress = "198.51.100.80";
    public const string SellerListedPrefix = "192.0.2.0/24";
    public const string SellerListedAddress = "192.0.2.80";
    public const string LanPrefix = "203.0.113.0/24";
    public const string SellerLanAddress = "203.0.113.1";
    public const string LanHostAddress = "203.0.113.10";

    // The same in IPv6, in 2001:db8::/32 (documentation): internet, the seller's listed network, its LAN.
    public const string InternetPrefix6 = "2001:db8:100::/64";
    public const string SellerEgressAddress6 = "2001:db8:100::1";
    public const string InternetAddress6 = "2001:db8:100::80";
    public const string SellerListedPrefix6 = "2001:db8:2::/64";
    public const string SellerListedAddress6 = "2001:db8:2::80";
    public const string LanPrefix6 = "2001:db8:113::/64";
    public const string SellerLanAddress6 = "2001:db8:113::1";
    public const string LanHostAddress6 = "2001:db8:113::10";

    /// <summary>The name dnsmasq answers (with <see cref="InternetAddress"/>); it forwards nothing.</summary>
    public const string DnsName = "example.test";

    private readonly List<IDisposable> _services = [];
    private Process? _dnsmasq;

    private TestInternet(NetworkNamespacePair pair)
    {
        Name = "ext-i-" + pair.Tag;
        Lan = "ext-l-" + pair.Tag;
        EgressInterface = "exe" + pair.Tag;
        QueryLog = Path.Combine(Path.GetTempPath(), "ext-dns-" + pair.Tag + ".log");
    }

    /// <summary>The internet's namespace.</summary>
    public string Name { get; }

    /// <summary>The seller LAN host's namespace.</summary>
    public string Lan { get; }

    /// <summary>The seller's interface towards the internet, in <see cref="NetworkNamespacePair.B"/>.</summary>
    public string EgressInterface { get; }

    /// <summary>dnsmasq's log, one line per query with the address it came from.</summary>
    public string QueryLog { get; }

    /// <summary>Why the stand-in internet cannot run here, or null when it can (after the real-tunnel needs).</summary>
    public static string? Missing() =>
        Core.WireGuard.Platform.WireGuardPrerequisites.CommandExists("dnsmasq")
            ? null
            : "dnsmasq is not installed (apt-get install dnsmasq-base)";

    public static TestInternet Create(NetworkNamespacePair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var internet = new TestInternet(pair);
        try
        {
            Link(pair, internet.Name, internet.EgressInterface, "exi" + pair.Tag, (SellerEgressAddress, InternetAddress), (SellerEgressAddress6, InternetAddress6));
            Link(pair, internet.Lan, "exl" + pair.Tag, "exm" + pair.Tag, (SellerLanAddress, LanHostAddress), (SellerLanAddress6, LanHostAddress6));
            NetworkNamespacePair.Run("ip", "-n", internet.Name, "address", "add", SellerListedAddress + "/32", "dev", "exi" + pair.Tag);
            NetworkNamespacePair.Run("ip", "-n", internet.Name, "address", "add", SellerListedAddress6 + "/128", "dev", "exi" + pair.Tag, "nodad");
            NetworkNamespacePair.Run("ip", "-n", pair.B, "route", "add", SellerListedPrefix, "via", InternetAddress, "dev", internet.EgressInterface);
            NetworkNamespacePair.Run("ip", "-n", pair.B, "-6", "route", "add", SellerListedPrefix6, "via", InternetAddress6, "dev", internet.EgressInterface);
            internet._services.Add(HttpEcho.Start(internet.Name, EchoPort));
            internet.StartDnsmasq();
        }
        catch
        {
            internet.Dispose();
            throw;
        }

        return internet;
    }

    /// <summary>The seller's default routes out of its egress interface, as on a host whose gateway is the internet
    /// (<see cref="InternetAddress"/>, <see cref="InternetAddress6"/>): the gateway an exit lets buyers through to,
    /// while the rest of the egress network stays refused.</summary>
    public static void RouteSellerDefaultsOut(NetworkNamespacePair pair, TestInternet internet)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(internet);
        NetworkNamespacePair.Run("ip", "-n", pair.B, "route", "add", "default", "via", InternetAddress, "dev", internet.EgressInterface);
        NetworkNamespacePair.Run("ip", "-n", pair.B, "-6", "route", "add", "default", "via", InternetAddress6, "dev", internet.EgressInterface);
    }

    /// <summary>Whether dnsmasq logged a query for <see cref="DnsName"/> from <paramref name="source"/>.</summary>
    public bool LoggedQueryFrom(string source) =>
        File.Exists(QueryLog) && File.ReadLines(QueryLog).Any(line => line.Contains($"query[A] {DnsName} from {source}", StringComparison.Ordinal));

    public void Dispose()
    {
        foreach (var service in _services)
        {
            service.Dispose();
        }

        if (_dnsmasq is not null)
        {
            if (!_dnsmasq.HasExited)
            {
                _dnsmasq.Kill();
                _dnsmasq.WaitForExit(5000);
            }

            _dnsmasq.Dispose();
        }

        foreach (var ns in new[] { Name, Lan })
        {
            NetworkNamespacePair.TryDelete(ns);
        }

        File.Delete(QueryLog);
    }

    /// <summary>A namespace on a veth link to the seller, with IPv4 and IPv6 addresses (no duplicate address
    /// detection, so they are usable at once) and its default routes through the seller.</summary>
    private static void Link(NetworkNamespacePair pair, string ns, string sellerSide, string farSide, (string Seller, string Far) v4, (string Seller, string Far) v6)
    {
        NetworkNamespacePair.Run("ip", "netns", "add", ns);
        NetworkNamespacePair.Run("ip", "link", "add", sellerSide, "netns", pair.B, "type", "veth", "peer", "name", farSide, "netns", ns);
        NetworkNamespacePair.Run("ip", "-n", pair.B, "address", "add", v4.Seller + "/24", "dev", sellerSide);
        NetworkNamespacePair.Run("ip", "-n", ns, "address", "add", v4.Far + "/24", "dev", farSide);
        NetworkNamespacePair.Run("ip", "-n", pair.B, "address", "add", v6.Seller + "/64", "dev", sellerSide, "nodad");
        NetworkNamespacePair.Run("ip", "-n", ns, "address", "add", v6.Far + "/64", "dev", farSide, "nodad");
        NetworkNamespacePair.Run("ip", "-n", ns, "link", "set", "lo", "up");
        NetworkNamespacePair.Run("ip", "-n", ns, "link", "set", farSide, "up");
        NetworkNamespacePair.Run("ip", "-n", pair.B, "link", "set", sellerSide, "up");
        NetworkNamespacePair.Run("ip", "-n", ns, "route", "add", "default", "via", v4.Seller);
        NetworkNamespacePair.Run("ip", "-n", ns, "-6", "route", "add", "default", "via", v6.Seller);
    }

    private void StartDnsmasq()
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        // No configuration file, hosts file or upstream: it answers only example.test, and logs every query.
        foreach (var argument in new[]
        {
            "netns", "exec", Name, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--log-queries", "--log-facility=" + QueryLog, "--listen-address=" + InternetAddress, "--bind-interfaces",
            $"--address=/{DnsName}/{InternetAddress}", "--user=root", "--pid-file",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _dnsmasq = Process.Start(start)!;
        _dnsmasq.BeginOutputReadLine();
        _dnsmasq.BeginErrorReadLine();

        // Ready once it answers from inside its own namespace; bounded, so a dnsmasq that cannot start fails here.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (_dnsmasq.HasExited)
            {
                break;
            }

            if (DnsProbe.QueryAsync(Name, InternetAddress, DnsName, TimeSpan.FromSeconds(1)).GetAwaiter().GetResult() is { } answer
                && answer.Equals(IPAddress.Parse(InternetAddress)))
            {
                return;
            }
        }

        throw new InvalidOperationException($"dnsmasq in {Name} did not answer (exited: {_dnsmasq.HasExited}).");
    }
}
