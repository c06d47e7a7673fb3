namespace ImpVpn.Core.WireGuard.Types;

/// <summary>One missing piece and how to get it (a command to run, a package to install).</summary>
public sealed record MissingPrerequisite(string What, string Remedy);
