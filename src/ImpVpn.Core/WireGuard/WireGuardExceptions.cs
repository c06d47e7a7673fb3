namespace ImpVpn.Core.WireGuard;

/// <summary>Base of every WireGuard-layer failure. Messages never contain private or pre-shared keys.</summary>
public class WireGuardException(string message, Exception? inner = null) : Exception(message, inner);

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

/// <summary>A UAPI reply broke the protocol: cut short (no final errno line, e.g. the device's process died
/// mid-reply) or otherwise not what the UAPI sends. Treated as a failure, never as a smaller device.</summary>
public sealed class UapiProtocolException(string device, string problem)
    : WireGuardException($"WireGuard device '{device}' sent an invalid UAPI reply: {problem}")
{
    public string Device { get; } = device;
}

/// <summary>No device of that name exists.</summary>
public sealed class WireGuardDeviceNotFoundException(string device)
    : WireGuardException($"There is no WireGuard device named '{device}'.")
{
    public string Device { get; } = device;
}

/// <summary>A system command (ip, wg, wireguard-go, wireguard.exe) failed.</summary>
public sealed class SystemCommandException(string command, int exitCode, string error)
    : WireGuardException($"'{command}' failed with exit code {exitCode}: {error.Trim()}")
{
    public string Command { get; } = command;

    public int ExitCode { get; } = exitCode;
}

/// <summary>Something needed before touching any interface is missing: privileges or WireGuard tooling.
/// The message lists each missing piece with how to get it.</summary>
public sealed class WireGuardPrerequisiteException(IReadOnlyList<MissingPrerequisite> missing)
    : WireGuardException("WireGuard cannot be set up here: " + string.Join("; ", missing.Select(m => $"{m.What} ({m.Remedy})")))
{
    public IReadOnlyList<MissingPrerequisite> Missing { get; } = missing;
}

public sealed record MissingPrerequisite(string What, string Remedy);
