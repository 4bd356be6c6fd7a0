package io.sealstream.gateway.internal;

/** The few S3 XML documents the gateway writes. */
final class S3Xml {

    static final String NS = "http://s3.amazonaws.com/doc/2006-03-01/";
    static final String PROLOG = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

    private S3Xml() {
    }

    static String error(final S3Error e, final String resource, final String requestId) {
        return PROLOG + "<Error><Code>" + escape(e.code()) + "</Code><Message>" + escape(e.getMessage())
                + "</Message><Resource>" + escape(resource) + "</Resource><RequestId>" + escape(requestId)
                + "</RequestId></Error>";
    }

    /** XML 1.0 text: markup characters escaped, characters XML cannot carry replaced (keys are URL-encoded by clients that ask). */
    static String escape(final String s) {
        if (s == null) {
            return "";
        }
        final StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                case '\r' -> out.append("&#13;");
                case '\n' -> out.append("&#10;");
                case '\t' -> out.append("&#9;");
                default -> {
                    if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    static String element(final String name, final String value) {
        return "<" + name + ">" + escape(value) + "</" + name + ">";
    }
}
