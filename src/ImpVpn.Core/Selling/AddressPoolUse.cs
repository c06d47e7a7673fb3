using System.Net;
using System.Numerics;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>How much of a seller's subnet is handed out: addresses leased to live contracts (open or active) and
/// those still free. A count, not a list: an IPv6 pool is far too large to enumerate.</summary>
public sealed record AddressPoolUse(IpPrefix Subnet, int Leased, BigInteger Free)
{
    /// <summary>The use of <paramref name="subnet"/> by <paramref name="contracts"/>, as a seller starting on them
    /// would lease it (addresses outside the subnet, from a run with another subnet, lease nothing in it).</summary>
    public static AddressPoolUse Of(IpPrefix subnet, IEnumerable<SoldContract> contracts)
    {
        var pool = new AddressPool(subnet);
        foreach (var contract in contracts)
        {
            if (contract.HoldsAddress && IPAddress.TryParse(contract.BuyerTunnelAddress, out var address) && pool.CanLease(address))
            {
                pool.Reserve(address);
            }
        }

        return Of(pool);
    }

    /// <summary>The running seller's own pool, as it stands.</summary>
    public static AddressPoolUse Of(AddressPool pool) => new(pool.Subnet, pool.Leased, pool.Free);
}
