using System.Net;
using System.Numerics;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Tunnel addresses the seller hands out: the first host of the subnet is the seller's own, every other host is
/// leased to one contract at a time. Rebuilt from the store on restart by leasing each active contract's address.
/// </summary>
public sealed class AddressPool
{
    private readonly object _gate = new();
    private readonly HashSet<IPAddress> _leased = [];

    // Every host number below the frontier is leased or in the holes (released since); none from it on has been
    // leased by Lease. So the lowest free address is the smallest hole, or else the first unleased from the frontier.
    private readonly SortedSet<BigInteger> _holes = [];
    private BigInteger _frontier = 2;
    private readonly BigInteger _network;
    private readonly int _bits;

    public AddressPool(IpPrefix subnet)
    {
        Subnet = subnet.Network();
        _bits = subnet.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        if (_bits - subnet.PrefixLength < 2)
        {
            throw new ArgumentException($"{subnet} is too small for a seller and one buyer.", nameof(subnet));
        }

        _network = ToNumber(Subnet.Address);
        SellerTunnelAddress = FromNumber(_network + 1);
    }

    public IpPrefix Subnet { get; }

    public IPAddress SellerTunnelAddress { get; }

    public int Leased
    {
        get
        {
            lock (_gate)
            {
                return _leased.Count;
            }
        }
    }

    /// <summary>Whether <see cref="Lease"/> would find an address now.</summary>
    public bool HasFree
    {
        get
        {
            lock (_gate)
            {
                return _leased.Count < HostCount();
            }
        }
    }

    /// <summary>Addresses still free to lease.</summary>
    public BigInteger Free
    {
        get
        {
            lock (_gate)
            {
                return HostCount() - _leased.Count;
            }
        }
    }

    /// <summary>Whether <paramref name="address"/> is one this pool leases (a host of its subnet, not the seller's).</summary>
    public bool CanLease(IPAddress address)
    {
        if (address.AddressFamily != Subnet.Address.AddressFamily)
        {
            return false;
        }

        var host = ToNumber(address) - _network;
        var last = BigInteger.Pow(2, _bits - Subnet.PrefixLength) - (_bits == 32 ? 2 : 1);
        return host >= 2 && host <= last;
    }

    // Every address but the network's, the seller's and (IPv4) the broadcast address.
    private BigInteger HostCount() => BigInteger.Pow(2, _bits - Subnet.PrefixLength) - (_bits == 32 ? 3 : 2);

    /// <summary>The lowest free host address of the subnet.</summary>
    public IPAddress Lease()
    {
        lock (_gate)
        {
            // Lowest first, as before: a released address below the frontier, else the frontier itself. Neither
            // walks the leased addresses, which a seller with thousands of buyers did on every accept, under its lock.
            while (_holes.Count > 0)
            {
                var hole = _holes.Min;
                _holes.Remove(hole);
                var address = FromNumber(_network + hole);
                if (_leased.Add(address))
                {
                    return address;
                }
            }

            var hostCount = BigInteger.Pow(2, _bits - Subnet.PrefixLength);
            // Skip the network address, the seller's, and (IPv4) the broadcast address.
            var last = _bits == 32 ? hostCount - 2 : hostCount - 1;
            // Past the frontier only addresses reserved out of order (a restart's leases) are taken: skipped once.
            for (; _frontier <= last; _frontier++)
            {
                var address = FromNumber(_network + _frontier);
                if (_leased.Add(address))
                {
                    _frontier++;
                    return address;
                }
            }

            throw new ProtocolException(ProtocolErrorCode.PoolExhausted, $"Every address of {Subnet} is in use; no tunnel can be sold now.");
        }
    }

    public void Reserve(IPAddress address)
    {
        lock (_gate)
        {
            _leased.Add(address);
        }
    }

    public void Release(IPAddress address)
    {
        lock (_gate)
        {
            if (!_leased.Remove(address))
            {
                return;
            }

            var host = ToNumber(address) - _network;
            if (host >= 2 && host < _frontier)
            {
                _holes.Add(host);
            }
        }
    }

    private static BigInteger ToNumber(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    private IPAddress FromNumber(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var full = new byte[_bits / 8];
        bytes.CopyTo(full, full.Length - bytes.Length);
        return new IPAddress(full);
    }
}
