namespace ImpVpn.Core.WireGuard.Types;

/// <summary>Base of every WireGuard-layer failure. Messages never contain private or pre-shared keys.</summary>
public class WireGuardException(string message, Exception? inner = null) : Exception(message, inner);
