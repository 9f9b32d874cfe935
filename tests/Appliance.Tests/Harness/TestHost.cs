namespace Appliance.Tests.Harness;

/// <summary>
/// One test host: a network namespace whose <see cref="Interface"/> is a veth to the switch
/// bridge, with one IPv4 address from 198.18.0.0/15.
/// </summary>
public sealed record TestHost(string Name, string Namespace, string Address, string Interface, string SwitchPort)
{
    public override string ToString() => $"{Name} ({Address} in {Namespace})";
}
