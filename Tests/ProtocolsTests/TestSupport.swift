import Protocols

// Tests name nodes by number; production code never converts an Int silently.
extension NodeID: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}
