namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>How a new WireGuard link comes to exist on Linux: through the kernel module, or by starting wireguard-go.
/// What follows (key, port, MTU, addresses, up) is the same for both and is <see cref="LinuxLinks"/>' job.</summary>
internal interface ILinkCreator
{
    /// <summary>Makes the link. When this throws, nothing was made: a name already taken is someone else's link.</summary>
    Task CreateAsync(string name, CancellationToken cancellationToken);

    /// <summary>Returns once the new link's device can be configured. A failure here leaves a link behind, which the
    /// caller deletes.</summary>
    Task WaitUntilReadyAsync(string name, CancellationToken cancellationToken);
}
