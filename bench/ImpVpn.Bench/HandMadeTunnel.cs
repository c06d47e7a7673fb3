using System.Globalization;
using ImpVpn.Core.Files;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.Bench;

/// <summary>A WireGuard tunnel made by hand between a namespace pair, as an administrator would with wireguard-go,
/// `wg set` and `ip` and nothing of ImpVpn's: wireguard-go on both sides, the given MTU, one /32 address each with a
/// /32 route to the other (plain routes), the buyer's side with a 25 s keepalive as ImpVpn's buyer sets. The buyer's
/// peer allows 0.0.0.0/0, as a full tunnel's does, so full-tunnel routing can be laid over it
/// (<see cref="FullTunnelRouting"/>). The baseline a bought tunnel is compared with.</summary>
internal sealed class HandMadeTunnel : IAsyncDisposable
{
    public const string SellerAddress = "10.213.0.1";
    public const string BuyerAddress = "10.213.0.2";
    private const int ListenPort = 51821;

    private readonly string _keyFolder;

    private HandMadeTunnel(NetworkNamespacePair pair, string keyFolder)
    {
        Pair = pair;
        _keyFolder = keyFolder;
        SellerInterface = "ivtpHS" + pair.Tag;
        BuyerInterface = "ivtpHB" + pair.Tag;
    }

    public NetworkNamespacePair Pair { get; }

    /// <summary>In namespace B.</summary>
    public string SellerInterface { get; }

    /// <summary>In namespace A.</summary>
    public string BuyerInterface { get; }

    public static async Task<HandMadeTunnel> CreateAsync(NetworkNamespacePair pair, int mtu)
    {
        var tunnel = new HandMadeTunnel(pair, Directory.CreateTempSubdirectory("impvpn-bench-keys-").FullName);
        try
        {
            using var sellerKey = WireGuardPrivateKey.Generate();
            using var buyerKey = WireGuardPrivateKey.Generate();
            await tunnel.StartSideAsync(pair.B, tunnel.SellerInterface, sellerKey, mtu, SellerAddress, BuyerAddress,
                ["peer", buyerKey.PublicKey.ToBase64(), "allowed-ips", BuyerAddress + "/32"]);
            await tunnel.StartSideAsync(pair.A, tunnel.BuyerInterface, buyerKey, mtu, BuyerAddress, SellerAddress,
                ["peer", sellerKey.PublicKey.ToBase64(), "allowed-ips", "0.0.0.0/0", "endpoint", $"{pair.UnderlayB}:{ListenPort}", "persistent-keepalive", "25"]);
            return tunnel;
        }
        catch
        {
            await tunnel.DisposeAsync();
            throw;
        }
    }

    private async Task StartSideAsync(string ns, string name, WireGuardPrivateKey key, int mtu, string address, string peerAddress, string[] peer)
    {
        var limit = TimeSpan.FromSeconds(10);
        await BoundedCommand.RunAsync(ns, limit, "wireguard-go", name);
        var socket = $"/var/run/wireguard/{name}.sock";
        for (var waited = 0; !File.Exists(socket); waited += 20)
        {
            if (waited > 10_000)
            {
                throw new TimeoutException($"wireguard-go made no {socket} within 10 s.");
            }

            await Task.Delay(20);
        }

        // wg(8) reads a private key only from a file.
        var keyFile = Path.Combine(_keyFolder, name + ".key");
        OwnerOnlyFile.WriteAllText(keyFile, key.RevealBase64() + "\n");
        await BoundedCommand.RunAsync(ns, limit, "wg", ["set", name, "listen-port", ListenPort.ToString(CultureInfo.InvariantCulture), "private-key", keyFile, .. peer]);
        await BoundedCommand.RunAsync(ns, limit, "ip", "link", "set", "dev", name, "mtu", mtu.ToString(CultureInfo.InvariantCulture), "up");
        await BoundedCommand.RunAsync(ns, limit, "ip", "address", "add", address + "/32", "dev", name);
        await BoundedCommand.RunAsync(ns, limit, "ip", "route", "add", peerAddress + "/32", "dev", name);
    }

    /// <summary>Deletes both links (wireguard-go exits with its link) and the key files.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (ns, name) in new[] { (Pair.A, BuyerInterface), (Pair.B, SellerInterface) })
        {
            try
            {
                await BoundedCommand.RunAsync(ns, TimeSpan.FromSeconds(10), "ip", "link", "del", "dev", name);
            }
            catch (InvalidOperationException)
            {
                // Never made, or already gone; the namespace's deletion stops what is left.
            }
        }

        Directory.Delete(_keyFolder, true);
    }
}
