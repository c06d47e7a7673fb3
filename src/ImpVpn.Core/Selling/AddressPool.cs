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

    public IPAddress Lease()
    {
        lock (_gate)
        {
            var hostCount = BigInteger.Pow(2, _bits - Subnet.PrefixLength);
            // Skip the network address, the seller's, and (IPv4) the broadcast address.
            var last = _bits == 32 ? hostCount - 2 : hostCount - 1;
            for (var host = new BigInteger(2); host <= last; host++)
            {
                var address = FromNumber(_network + host);
                if (_leased.Add(address))
                {
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
            _leased.Remove(address);
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
