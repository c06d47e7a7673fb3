namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>Reads a macaroon file. Errors name the file, never its content.</summary>
public static class MacaroonFile
{
    // Real macaroons are a few hundred bytes; anything larger is not one.
    private const int MaxBytes = 64 * 1024;

    public static byte[] Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new MacaroonException(MacaroonProblem.FileMissing, $"No macaroon file at '{path}'.", path);
        }

        var info = new FileInfo(path);
        if (info.Length is 0 or > MaxBytes)
        {
            throw new MacaroonException(MacaroonProblem.NotAMacaroon, $"'{path}' ({info.Length} bytes) is not a macaroon.", path);
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new MacaroonException(MacaroonProblem.Unreadable, $"The macaroon at '{path}' cannot be read by this user: {e.Message}", path, e);
        }
    }
}
