using System.Security.Cryptography;
using ImpVpn.Core.WireGuard.Windows;

namespace ImpVpn.Core.WireGuard.WgTool;

/// <summary>`wg set` reads keys only from files. This writes one, owner-only from creation (0600 in a 0700 folder
/// of its own; on Windows an ACL for the current user, SYSTEM and Administrators), and deletes both on dispose.</summary>
internal sealed class SecretFile : IDisposable
{
    private readonly string _folder;

    public SecretFile(string content)
    {
        _folder = Path.Combine(Path.GetTempPath(), "impvpn-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));
        FilePath = Path.Combine(_folder, "key");
        if (OperatingSystem.IsWindows())
        {
            OwnerOnlyAcl.CreateDirectory(_folder);
        }
        else
        {
            Directory.CreateDirectory(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using var stream = OwnerOnlyFile.CreateNew(FilePath);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
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
