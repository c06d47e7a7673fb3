using System.Net;
using System.Security.Cryptography;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Bench;

/// <summary>
/// A seller's store holding N active, settled contracts, written through the store's own shelf (so the files are
/// what a seller writes) once into a template folder and copied for each use. Shared by the benchmarks that need
/// a seller at scale (throughput, memory), and meant for a later one (a daemon's start to ready with N contracts).
/// </summary>
internal static class ActiveSoldStore
{
    /// <summary>Writes <paramref name="count"/> Active contracts into a new store at <paramref name="folder"/>,
    /// expiring over the next 30 days, each leasing one address of <paramref name="subnet"/> from host number
    /// <paramref name="firstHost"/> on (host 1 is the seller's), as a seller's pool would have leased them.</summary>
    public static void Write(string folder, int count, IpPrefix subnet, int firstHost, DateTimeOffset now)
    {
        var shelf = new ContractStore(folder).Shelf<SoldContract>("sold", "Seller");
        var network = subnet.Network().Address.GetAddressBytes();
        var first = (uint)IPAddress.NetworkToHostOrder(BitConverter.ToInt32(network));
        for (var i = 0; i < count; i++)
        {
            var address = new IPAddress(BitConverter.GetBytes(IPAddress.HostToNetworkOrder((int)(first + (uint)firstHost + (uint)i))));
            shelf.Save(Active(address.ToString(), subnet, now.AddHours(-1), now.AddDays(1).AddSeconds(i * 250.0)));
        }
    }

    /// <summary>A copy of a store written by <see cref="Write"/> (plain copies: the template was written with
    /// fsync already, and a benchmark's store need not survive a crash), with only the first
    /// <paramref name="contracts"/> of its contract files when that is given.</summary>
    public static void Copy(string from, string to, int? contracts = null)
    {
        Directory.CreateDirectory(to);
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        var taken = 0;
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var isContract = Path.GetFileName(Path.GetDirectoryName(file)) == "sold" && file.EndsWith(".json", StringComparison.Ordinal);
            if (isContract && taken++ >= (contracts ?? int.MaxValue))
            {
                continue;
            }

            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    /// <summary>An active, settled contract of the size a real one has (keys, invoice, preimage, addresses).</summary>
    public static SoldContract Active(string buyerAddress, IpPrefix subnet, DateTimeOffset created, DateTimeOffset expires) =>
        Accepted(buyerAddress, new IPAddress(Increment(subnet.Network().Address.GetAddressBytes())).ToString(), created)
            .Activated(expires).InvoiceWasSettled();

    /// <summary>A contract just accepted, awaiting payment, with random keys, hashes and invoice of real length.</summary>
    public static SoldContract Accepted(string buyerAddress, string sellerAddress, DateTimeOffset created) => SoldContract.Accepted(
        Hex(8),
        "02" + Hex(32),
        1000,
        3600,
        Hex(16),
        Hex(32),
        Hex(32),
        "lnbcrt10u1" + Hex(130),
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        "192.0.2.1:51820",
        buyerAddress,
        sellerAddress,
        [sellerAddress + "/32"],
        created.AddMinutes(5)) with { CreatedAt = created };

    private static byte[] Increment(byte[] address)
    {
        address[^1]++;
        return address;
    }

    private static string Hex(int bytes) => Convert.ToHexString(RandomNumberGenerator.GetBytes(bytes)).ToLowerInvariant();
}
