using ImpVpn.LndSim.Crypto;

namespace ImpVpn.LndSim.Hosting;

/// <summary>
/// Macaroon rotation, as after LND's root key is rotated (lncli bakemacaroon with a new root key id, or the
/// macaroon database recreated): a new admin.macaroon is written over the old file, and the old macaroon fails
/// verification from the next call on.
/// </summary>
public sealed partial class SimNode
{
    public void RotateMacaroon() => _state.Macaroon = MacaroonMaterial.Create(MacaroonPath);
}
