using ImpVpn.Core.Files;

namespace ImpVpn.Core.WireGuard.Export;

/// <summary>The former home of owner-only writing, now <see cref="OwnerOnlyFile"/>. Kept only as a forwarder for
/// Store/ContractStore while it moves to <see cref="OwnerOnlyFile"/>; delete this file once nothing calls it.</summary>
public static class SecretFileWriter
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content) => OwnerOnlyFile.WriteAllBytes(path, content);

    public static void WriteAllText(string path, string content) => OwnerOnlyFile.WriteAllText(path, content);
}
