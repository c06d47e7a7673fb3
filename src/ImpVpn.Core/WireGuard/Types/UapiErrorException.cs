namespace ImpVpn.Core.WireGuard.Types;

/// <summary>The UAPI answered a request with a non-zero errno (wireguard-go sends it negated, e.g. -22 for EINVAL).</summary>
public sealed class UapiErrorException(string device, int errno)
    : WireGuardException($"WireGuard device '{device}' refused the configuration (errno {errno}: {Describe(errno)}).")
{
    public string Device { get; } = device;

    public int Errno { get; } = errno;

    private static string Describe(int errno) => Math.Abs(errno) switch
    {
        1 => "operation not permitted",
        2 => "no such entry",
        5 => "I/O error",
        12 => "out of memory",
        22 => "invalid argument",
        95 => "operation not supported",
        98 => "address (listen port) already in use",
        _ => "see errno(3)",
    };
}
