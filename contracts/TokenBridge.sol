// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title TokenBridge
/// @notice Firebreak's demo bridge endpoint for native ETH: users lock ETH for another
/// chain, a relayer releases ETH for transfers that arrived from elsewhere, and a
/// guardian can freeze both directions during an incident.
/// @dev Not audited and not meant to hold real funds.
contract TokenBridge is AccessControl {
    /// @notice May freeze the bridge. Unfreezing needs DEFAULT_ADMIN_ROLE.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice May release funds for inbound transfers.
    bytes32 public constant RELAYER_ROLE = keccak256("RELAYER_ROLE");

    bool private _frozen;
    /// @notice Number of lock calls so far; the nonce of the next Locked event.
    uint256 public lockNonce;
    /// @notice Whether the inbound transfer with this id has been released.
    mapping(bytes32 transferId => bool) public released;

    event Locked(
        address indexed sender, uint256 indexed destChainId, address indexed recipient, uint256 amount, uint256 nonce
    );
    event Released(bytes32 indexed transferId, address indexed to, uint256 amount);
    event Frozen(address account);
    event Unfrozen(address account);

    /// @notice The bridge is frozen.
    error BridgeFrozen();
    /// @notice unfreeze was called on a bridge that is not frozen.
    error BridgeNotFrozen();
    error AlreadyReleased(bytes32 transferId);
    error ZeroAmount();
    error ZeroAddress();
    error TransferFailed();

    constructor(address admin, address guardian, address relayer) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
        _grantRole(RELAYER_ROLE, relayer);
    }

    modifier whenNotFrozen() {
        if (_frozen) revert BridgeFrozen();
        _;
    }

    /// @notice Whether lock and release are frozen.
    function frozen() external view returns (bool) {
        return _frozen;
    }

    /// @notice Locks msg.value to be released to recipient on chain destChainId.
    function lock(uint256 destChainId, address recipient) external payable whenNotFrozen {
        if (msg.value == 0) revert ZeroAmount();
        if (recipient == address(0)) revert ZeroAddress();
        emit Locked(msg.sender, destChainId, recipient, msg.value, lockNonce++);
    }

    /// @notice Releases amount wei to `to` for the inbound transfer transferId, once.
    function release(address to, uint256 amount, bytes32 transferId) external onlyRole(RELAYER_ROLE) whenNotFrozen {
        if (to == address(0)) revert ZeroAddress();
        if (released[transferId]) revert AlreadyReleased(transferId);
        released[transferId] = true;
        emit Released(transferId, to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// @notice Freezes lock and release.
    function freeze() external onlyRole(GUARDIAN_ROLE) whenNotFrozen {
        _frozen = true;
        emit Frozen(msg.sender);
    }

    /// @notice Lifts the freeze; only the admin may, so a guardian key cannot undo containment.
    function unfreeze() external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_frozen) revert BridgeNotFrozen();
        _frozen = false;
        emit Unfrozen(msg.sender);
    }
}
