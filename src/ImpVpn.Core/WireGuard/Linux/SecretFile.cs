using System.Security.Cryptography;

namespace ImpVpn.Core.WireGuard.Linux;

/// <summary>`wg set` reads keys only from files. This writes one, created 0600 in a 0700 folder of its own,
/// and deletes folder and file on dispose.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class SecretFile : IDisposable
{
    private readonly string _folder;

    public SecretFile(string content)
    {
        _folder = Path.Combine(Path.GetTempPath(), "impvpn-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));
        Directory.CreateDirectory(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        FilePath = Path.Combine(_folder, "key");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var writer = new StreamWriter(FilePath, options);
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
            // Best effort; the folder is 0700 and holds one small file.
        }
    }
}
