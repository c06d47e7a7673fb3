using System.Security.Cryptography;

namespace ImpVpn.LndSim.Crypto;

/// <summary>An admin macaroon for a simulated node: an opaque credential to clients, so it is 2 (the
/// version byte of macaroon v2) followed by 64 random bytes, in a file created 0600.</summary>
public static class MacaroonMaterial
{
    public static byte[] Create(string path)
    {
        byte[] macaroon = [2, .. RandomNumberGenerator.GetBytes(64)];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SecretFile.Write(path, macaroon);
        return macaroon;
    }
}

internal static class SecretFile
{
    public static void Write(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));

    public static void Write(string path, byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(content);
    }
}
