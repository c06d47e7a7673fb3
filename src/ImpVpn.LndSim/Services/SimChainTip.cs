using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ImpVpn.LndSim.Services;

/// <summary>The simulated chain tip GetInfo reports: there is no chain, so each height gets a stable made-up
/// block hash and the tip's header is as old as the simulation (LND reports the header's time, which a synced
/// node has seen within the last couple of hours).</summary>
public static class SimChainTip
{
    private static readonly long StartedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static long HeaderTimestamp => StartedAt;

    /// <summary>A hash per height, shaped like a block hash (64 hex digits, leading zeros as proof of work gives).</summary>
    public static string HashAt(uint height)
    {
        Span<byte> seed = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(seed, height);
        var digest = SHA256.HashData(seed);
        digest[0] = 0;
        digest[1] = 0;
        digest[2] = 0;
        return Convert.ToHexString(digest).ToLowerInvariant();
    }
}
