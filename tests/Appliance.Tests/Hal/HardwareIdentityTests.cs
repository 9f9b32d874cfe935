using Appliance.Hal;

namespace Appliance.Tests.Hal;

public sealed class HardwareIdentityTests
{
    private const string MachineId = "0123456789abcdef0123456789abcdef\n";

    [Fact]
    public void Meaningful_dmi_serial_is_used_and_made_file_name_safe()
    {
        using var dir = new HalTempDir();
        File.WriteAllText(dir["serial"], "  ABC 123_x/9\n");
        File.WriteAllText(dir["machine-id"], MachineId);
        var id = new LinuxHardwareIdentity(dir["serial"], dir["machine-id"]);
        Assert.Equal("ABC-123-x-9", id.SerialNumber);
        Assert.Equal("dmi", id.Source);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("To be filled by O.E.M.")]
    [InlineData("TO BE FILLED BY O.E.M.")]
    [InlineData("Default string")]
    [InlineData("System Serial Number")]
    [InlineData("00000000")]
    [InlineData("Not Specified")]
    public void Placeholder_dmi_serial_falls_back_to_a_stable_machine_id_serial(string placeholder)
    {
        using var dir = new HalTempDir();
        File.WriteAllText(dir["serial"], placeholder + "\n");
        File.WriteAllText(dir["machine-id"], MachineId);
        var a = new LinuxHardwareIdentity(dir["serial"], dir["machine-id"]);
        var b = new LinuxHardwareIdentity(dir["missing-serial"], dir["machine-id"]);
        Assert.Equal("machine-id", a.Source);
        Assert.Matches("^MID-[0-9A-F]{12}$", a.SerialNumber);
        Assert.Equal(a.SerialNumber, b.SerialNumber);
        Assert.DoesNotContain("0123456789", a.SerialNumber, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Different_machine_ids_give_different_serials()
    {
        using var dir = new HalTempDir();
        File.WriteAllText(dir["m1"], MachineId);
        File.WriteAllText(dir["m2"], "fedcba9876543210fedcba9876543210\n");
        Assert.NotEqual(new LinuxHardwareIdentity(dir["none"], dir["m1"]).SerialNumber, new LinuxHardwareIdentity(dir["none"], dir["m2"]).SerialNumber);
    }

    [Fact]
    public void No_source_at_all_names_both_paths()
    {
        using var dir = new HalTempDir();
        File.WriteAllText(dir["serial"], "To be filled by O.E.M.");
        var e = Assert.Throws<HardwareIdentityException>(() => new LinuxHardwareIdentity(dir["serial"], dir["machine-id"]).SerialNumber);
        Assert.Contains(dir["serial"], e.Message);
        Assert.Contains(dir["machine-id"], e.Message);
        Assert.Contains("placeholder", e.Message);
        File.WriteAllText(dir["machine-id"], "not-an-id\n");
        Assert.Contains("'not-an-id'", Assert.Throws<HardwareIdentityException>(() => new LinuxHardwareIdentity(dir["serial"], dir["machine-id"]).SerialNumber).Message);
    }

    [Fact]
    public void Simulated_serial_is_stable_per_data_dir_and_overridable()
    {
        using var one = new HalTempDir();
        using var two = new HalTempDir();
        var a = new SimulatedHardwareIdentity(one.Path).SerialNumber;
        Assert.Matches("^SIM-[0-9A-F]{12}$", a);
        Assert.Equal(a, new SimulatedHardwareIdentity(one.Path).SerialNumber);
        Assert.Equal(a + "\n", File.ReadAllText(Path.Combine(one.Path, SimulatedHardwareIdentity.FileName)));
        Assert.NotEqual(a, new SimulatedHardwareIdentity(two.Path).SerialNumber);
        Assert.Equal("PEER-A", new SimulatedHardwareIdentity(one.Path, "PEER-A").SerialNumber);
        Assert.Throws<ArgumentException>(() => new SimulatedHardwareIdentity(one.Path, "bad_serial"));
    }
}
