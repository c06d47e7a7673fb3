namespace ImpVpn.Core.WireGuard.Types;

/// <summary>Something needed before touching any interface is missing: privileges or WireGuard tooling.
/// The message lists each missing piece with how to get it.</summary>
public sealed class WireGuardPrerequisiteException(IReadOnlyList<MissingPrerequisite> missing)
    : WireGuardException("WireGuard cannot be set up here: " + string.Join("; ", missing.Select(m => $"{m.What} ({m.Remedy})")))
{
    public IReadOnlyList<MissingPrerequisite> Missing { get; } = missing;
}
