namespace ImpVpn.Core.WireGuard.Commands;

/// <summary>Result of one system command.</summary>
internal sealed record CommandResult(int ExitCode, string Output, string Error);
