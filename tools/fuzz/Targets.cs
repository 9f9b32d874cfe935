namespace Appliance.Fuzz;

internal static class Targets
{
    public static readonly IReadOnlyList<FuzzTarget> All =
    [
        new FrameTarget(),
        new OpCodecTarget(),
        new HelloTarget(),
        new Cfa635Target(),
        new LicenceKeyTarget(),
        new DecryptTarget(),
        new UpgradePackageTarget(),
        new ApiRequestTarget(),
        new SipTarget(),
        new XmlRpcTarget(),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
