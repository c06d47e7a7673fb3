using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>Which simulated node a gRPC endpoint serves, and the network it lives in.</summary>
public sealed record NodeContext(SimNetwork Network, SimNodeState Node);
