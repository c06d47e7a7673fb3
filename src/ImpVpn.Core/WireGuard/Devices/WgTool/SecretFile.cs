using System.Security.Cryptography;
using ImpVpn.Core.Files;

namespace ImpVpn.Core.WireGuard.Devices.WgTool;

/// <summary>`wg set` reads keys only from files. This writes one, owner-only from creation, in a private folder of
/// its own (so no other user can even list it), and deletes both on dispose.</summary>
internal sealed class SecretFile : IDisposable
{
    private readonly string _folder;

    public SecretFile(string content)
    {
        _folder = Path.Combine(Path.GetTempPath(), "impvpn-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));
        FilePath = Path.Combine(_folder, "key");
        OwnerOnlyFile.CreatePrivateFolder(_folder);
        OwnerOnlyFile.WriteAllText(FilePath, content);
    }

    public string FilePath { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the folder is owner-only and holds one small file.
        }
    }
}
