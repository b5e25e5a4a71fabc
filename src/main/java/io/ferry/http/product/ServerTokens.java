package io.ferry.http.product;

/**
 * server_tokens: how much of the product the Server header and the error pages' signature name.
 * The version is the jar's Implementation-Version ("dev" when run from classes). Ferry's build records
 * no build name, so {@code build} names what {@code on} does, as nginx built without --build does.
 */
public enum ServerTokens {
    OFF, ON, BUILD;

    public static final String NAME = "ferry";
    public static final String VERSION = versionNumber();

    private static final String VERSIONED = NAME + "/" + VERSION;

    private static String versionNumber() {
        String v = ServerTokens.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The product token this value shows. */
    public String product() {
        return this == OFF ? NAME : VERSIONED;
    }
}
