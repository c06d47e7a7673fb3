Console.Error.WriteLine("ImpVpn.LndSim: not yet implemented"); return 1;
