package io.gev.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * gev's showcase: TCP echo on 1833 (over TLS on 1853), a length-field protocol on 1835, an
 * offloaded handler that blocks on 1837, WebSocket echo and chat on 1834 (over TLS, wss://, on
 * 1854), and a page with actuator on 8080.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
