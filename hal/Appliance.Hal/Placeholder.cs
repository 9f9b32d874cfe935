namespace Appliance.Hal;

internal static class Placeholder;
