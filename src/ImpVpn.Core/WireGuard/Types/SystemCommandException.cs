namespace ImpVpn.Core.WireGuard.Types;

/// <summary>A system command (ip, wg, wireguard-go, wireguard.exe) failed.</summary>
public sealed class SystemCommandException(string command, int exitCode, string error)
    : WireGuardException($"'{command}' failed with exit code {exitCode}: {error.Trim()}")
{
    public string Command { get; } = command;

    public int ExitCode { get; } = exitCode;
}
