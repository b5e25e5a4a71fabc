package io.ferry.model;

/** The location modifiers, in nginx's spelling. */
public enum LocationModifier {
    EXACT("="), PREFERRED_PREFIX("^~"), REGEX("~"), REGEX_CASELESS("~*"), PREFIX(""), NAMED("@");

    private final String symbol;

    LocationModifier(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }

    public boolean isRegex() {
        return this == REGEX || this == REGEX_CASELESS;
    }
}
